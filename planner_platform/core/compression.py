"""Text responses compressed for clients that accept it (Flask-Compress; which types and encodings: config.py).

The extension's own hook is replaced by `compress_text`, which leaves a byte range alone: a 206 answer holds bytes
of the file as stored (Content-Range counts them), and compressing them would hand the client a range of nothing.
A compressed answer no longer offers ranges, since its bytes are not the file's. The hook is registered before
every other after_request hook, so that it runs last and compresses the answer as they left it.
"""
from flask import Flask, Response

from planner_platform.extensions import compress


def register_compression(app: Flask) -> None:
    compress.init_app(app)

    @app.after_request
    def compress_text(response: Response) -> Response:
        if response.status_code == 206 or "Content-Range" in response.headers:
            return response
        was_encoded = "Content-Encoding" in response.headers
        response = compress.after_request(response)
        if not was_encoded and "Content-Encoding" in response.headers:
            response.headers.pop("Accept-Ranges", None)
        return response
