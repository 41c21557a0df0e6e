"""The hello-world Flask app that bench/load.py serves next to Leerpad, under the same
gunicorn settings, so the throughput ratio says what Leerpad costs per request."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
