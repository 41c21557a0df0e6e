"""WSGI entry point: ``gunicorn wsgi:app`` (configuration from LMS_* variables or instance/config.py)."""
from lms import create_app

app = create_app()
