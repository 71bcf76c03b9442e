"""Store adapters against the sandbox stores on loopback sockets.

Helpers shared by the WooCommerce and BigCommerce adapter tests: a small media host the stores
download `src` / `image_url` images from, and a plain web page standing where no API is.
"""

from __future__ import annotations

import socket

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from unopim_desktop.sandbox.catalogue.images import png_for
from unopim_desktop.sandbox.server import ServerThread


def media_host() -> ServerThread:
    """`GET /img/<name>.png` answers a small PNG, different for each name."""

    async def image(request: Request) -> Response:
        return Response(png_for(7, request.path_params["name"]), media_type="image/png")

    app = Starlette(routes=[Route("/img/{name}", image)])
    return ServerThread(app, name="media").start()


def html_site() -> ServerThread:
    """A web site that is not WordPress: every address answers 200 with an HTML page."""

    async def page(request: Request) -> Response:
        return HTMLResponse("<!DOCTYPE html><html><body><h1>Welcome to my shop</h1></body></html>")

    app = Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST", "PUT", "DELETE"])])
    return ServerThread(app, name="html").start()


def closed_port_url() -> str:
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
