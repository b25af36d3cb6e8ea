"""`BearerToken` against the two ways Gate treats a bearer token (research notes Q1).

Gate 2026.0+ authenticates every request that carries the token (FakeGate's ``tokens``). Gate up to 2025.1
answers an API call that carries only a bearer with a redirect to ``/login`` (gate OAuth2Test.java:46-54)
and opens a session only at ``GET /login``; `LegacyOAuthGate` below answers exactly that way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from spinpromote.gate import BearerToken, GateAuthError, GateClient
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc

TOKEN = "b3arer-never-shown"


class LegacyOAuthGate:
    """Gate <= 2025.1 with OAuth2: API calls need the session; ``GET /login`` with a good bearer opens one.

    With ``bearer_at_login=False`` it behaves as 2025.2-2025.4, where ``/login`` ignores bearer tokens and
    sends the browser to the identity provider.
    """

    def __init__(self, *, bearer_at_login: bool = True) -> None:
        self.seen: list[tuple[str, str, bool, bytes]] = []  # method, path, bearer sent, body
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                bearer = self.headers.get("Authorization") == f"Bearer {TOKEN}"
                gate.seen.append((self.command, self.path, bearer, body))
                if self.path.startswith("/login"):
                    if bearer and bearer_at_login:
                        self._send(302, {"Location": "/", "Set-Cookie": "SESSION=s3ssion; Path=/; HttpOnly"})
                    else:
                        self._send(302, {"Location": "/oauth2/authorization/google"})
                elif "SESSION=s3ssion" in (self.headers.get("Cookie") or ""):
                    self._send(200, {"Content-Type": "application/json"}, b"[]" if self.command == "GET" else b"")
                else:
                    self._send(302, {"Location": f"http://127.0.0.1:{gate.port}/login"})

            def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LegacyOAuthGate:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def legacy() -> Iterator[LegacyOAuthGate]:
    with LegacyOAuthGate() as server:
        yield server


def test_gate_2026_takes_the_bearer_on_every_request_without_a_login() -> None:
    with FakeGate(tokens={TOKEN}) as fake, GateClient(fake.url, auth=BearerToken(TOKEN), retry=FAST_RETRY) as gate:
        gate.list_pipeline_configs(APP)
        gate.list_pipeline_configs(APP)
        assert fake.count("GET", "/login") == 0
        assert fake.count() == 2


def test_gate_2025_redirects_to_login_so_the_token_is_exchanged_once(legacy: LegacyOAuthGate) -> None:
    with GateClient(legacy.url, auth=BearerToken(TOKEN), retry=FAST_RETRY) as gate:
        assert gate.list_pipeline_configs(APP) == []
        gate.post_pipeline(pipeline_doc("Deploy"))  # a POST keeps its body: redirects are never followed
        assert gate.list_pipeline_configs(APP) == []

    paths = [(method, path.split("?")[0]) for method, path, _, _ in legacy.seen]
    assert paths == [
        ("GET", f"/applications/{APP}/pipelineConfigs"),  # 302 to /login
        ("GET", "/login"),  # the exchange: the SESSION cookie
        ("GET", f"/applications/{APP}/pipelineConfigs"),
        ("POST", "/pipelines"),
        ("GET", f"/applications/{APP}/pipelineConfigs"),
    ]
    assert all(bearer for _, _, bearer, _ in legacy.seen)  # the token goes on every request all the same
    assert json.loads(legacy.seen[3][3])["name"] == "Deploy"


def test_a_gate_that_ignores_bearer_tokens_is_an_auth_error_naming_the_token() -> None:
    with LegacyOAuthGate(bearer_at_login=False) as server:
        with GateClient(server.url, auth=BearerToken(TOKEN), retry=FAST_RETRY) as gate:
            with pytest.raises(GateAuthError) as caught:
                gate.list_pipeline_configs(APP)

    assert "did not accept the bearer token at /login" in str(caught.value)
    assert TOKEN not in str(caught.value)
