# Read by the `flask` command only (not by gunicorn or Celery): local commands default to development.
# Real deployments set APP_CONFIG=production in the environment, which takes precedence over this file.
APP_CONFIG=development
FLASK_APP=wsgi
