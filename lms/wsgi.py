"""WSGI entry point for gunicorn and other servers: ``gunicorn lms.wsgi:app``.

Settings come from LMS_* variables or the instance config.py; the app refuses to start when
a plugin's setting needed to serve is missing.
"""
from lms import create_app

app = create_app(serve=True)
