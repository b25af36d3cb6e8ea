"""FakeGate's HTTP side: a threading server on 127.0.0.1, and answers written the way Gate writes them.

It knows nothing of pipelines: it hands each request to a handler function and sends back its `Answer`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Answer", "Server", "error_answer"]

_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}


class Answer:
    """What to send back: a status, headers and a body.

    ``body`` is a JSON value, None (no body), a ``str`` (an HTML page) or ``bytes`` (sent as they are, with
    ``content_type``).
    """

    def __init__(
        self,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def payload(self) -> tuple[bytes, str]:
        """The bytes to send and their content type."""
        if self.body is None:
            return b"", "application/json"
        if isinstance(self.body, bytes):
            return self.body, self.content_type
        if isinstance(self.body, str):
            return self.body.encode(), "text/html;charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


def error_answer(status: int, message: str) -> Answer:
    """An error as Gate's error handler writes it (kork's error body)."""
    body = {
        "error": _REASONS.get(status, "Error"),
        "message": message,
        "status": status,
        "timestamp": int(time.time() * 1000),
    }
    return Answer(status, body)


Handle = Callable[[BaseHTTPRequestHandler, str], None]


def send(handler: BaseHTTPRequestHandler, answer: Answer | None, request_id: str | None) -> None:
    """Write ``answer`` to the connection; None drops the connection without a word."""
    if answer is None:
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)
        return
    payload, content_type = answer.payload()
    handler.send_response(answer.status)
    for name, value in answer.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.send_header("X-SPINNAKER-REQUEST-ID", request_id or str(uuid.uuid4()))
    handler.end_headers()
    handler.wfile.write(payload)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Gate behind a load balancer
    timeout = 10  # close idle keep-alive connections so their threads end
    wbufsize = 64 * 1024  # headers and body leave in one write: no Nagle / delayed-ACK stall

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        server: _TrackingServer = self.server  # type: ignore[assignment]
        if server.stopped:  # read just as stop() began: a stopped Gate answers nothing
            send(self, None, None)
            return
        server.handle(self, self.command)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read `FakeGate.requests` instead."""


class _TrackingServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its open connections and their threads, so that stop() can end them:
    the standard one only stops accepting, and a kept-alive connection would go on being served."""

    daemon_threads = True

    def __init__(self, handle: Handle) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.handle = handle
        self.stopped = False
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            if self.stopped:
                self.shutdown_request(request)
                return
            self._open[request] = threading.current_thread()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.pop(request, None)

    def close_connections(self, wait: float) -> None:
        """Refuse further requests, shut every open connection and wait up to ``wait`` seconds for its thread."""
        with self._open_lock:
            self.stopped = True
            open_now = dict(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + wait
        for thread in open_now.values():
            if thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


class Server:
    """A threading HTTP server on a free port of 127.0.0.1 that passes every request to ``handle``."""

    def __init__(self, handle: Handle) -> None:
        self._handle = handle
        self._server: _TrackingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def start(self) -> None:
        """Serve in a background thread (once)."""
        if self._server is not None:
            return
        server = _TrackingServer(self._handle)
        self._server = server
        # stop() waits up to one poll interval for the loop to notice: short, since test suites stop many fakes.
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the connections clients keep open, and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections(wait=5)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("FakeGate is not running: use it as a context manager or call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"
