"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`. APP_CONFIG picks the configuration."""
from planner_platform import create_app

app = create_app()
