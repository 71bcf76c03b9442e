"""Serve an ASGI app with uvicorn on a real loopback socket from a background thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from typing import Any

import uvicorn


class ServerThread:
    """One uvicorn server in a daemon thread, bound to 127.0.0.1 on a free port unless given one.

    `start()` returns once the socket is listening, so callers can connect at once.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
        name: str = "sandbox",
    ) -> None:
        self.app = app
        self.host = host
        self.name = name
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Without it, Nagle + delayed ACK add ~40 ms to every request on a kept-alive connection.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        self.scheme = "https" if ssl_certfile else "http"
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            # Not None: uvicorn would ask sys.stdout.isatty(), and a windowed build (the demo) has no stdout.
            use_colors=False,
            lifespan="off",
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            # Keep-alive long enough that a client's pooled connection is not dropped between steps.
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self.name} sandbox server failed to start")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} sandbox server did not start within {timeout}s")
            time.sleep(0.01)
        return self

    def _run(self) -> None:
        # uvicorn installs signal handlers only on the main thread; a thread needs its own loop.
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
