"""The reference: a minimal Flask endpoint, served by the same gunicorn settings as the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return "ok"
