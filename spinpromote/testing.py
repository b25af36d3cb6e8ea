"""Test helpers: `FakeGate`, a real HTTP server on 127.0.0.1 that behaves like Spinnaker's Gate.

It implements what spinpromote's client uses, with the save semantics of Gate, orca and front50
(``docs/gate.md`` lists them): every failed save is a 400 with kork's error body; a missing name or
application is refused; a name taken (ignoring case) by another id, or by a save without an id, is
refused with "already exists"; a save without an id gets a random UUID; a save is a full replace;
``staleCheck`` compares ``updateTs``. It also runs executions (stage by stage, pausing at Manual
Judgments), checks credentials when asked to, and injects faults: chosen statuses, dropped
connections and latency, from a seeded random generator so failures are reproducible.

```python
from spinpromote.gate import GateClient
from spinpromote.testing import FakeGate, Faults

with FakeGate(faults=Faults(rate=0.3), seed=7) as fake, GateClient(fake.url) as gate:
    gate.apply(gate.plan(pipelines))
    assert {p["name"] for p in fake.pipelines("demo")} == {"Deploy to Staging", "Deploy to Production"}
```

Only the standard library (and attrs) is used: no ``requests`` needed to import this module.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

__all__ = ["FakeGate", "FaultKind", "Faults", "RecordedRequest"]

FaultKind = Literal[429, 500, 502, 503, 504, "drop", "running"]
"""A status to answer with; ``"drop"`` closes the connection without an answer; ``"running"`` answers a
save with Gate's 400 "(status: RUNNING)" (orca did not finish in time)."""

# Faults that can hit after the request was carried out: a proxy timing out, a connection lost on the
# way back, orca still running. A 429 or 503 is answered before Gate does anything.
_MAYBE_AFTER: frozenset[FaultKind] = frozenset({500, 502, 504, "drop", "running"})
_PERMIT_ALL = ("/auth/user", "/health", "/login", "/error")
_SERVER_OWNED = ("updateTs", "lastModifiedBy", "lastModified", "createTs")
_JUDGMENT_STATUSES = ("continue", "stop")


@attrs.frozen(kw_only=True)
class Faults:
    """Random transient failures: ``rate`` of requests fail with one of ``kinds``, chosen at random.

    A ``drop``, 500, 502, 504 or ``running`` fault on a write happens after the write was carried out with
    probability ``after_processing`` (the client cannot tell which). A 429 carries ``Retry-After``.

    ```pycon
    >>> Faults(rate=0.3).kinds
    (502, 503, 429, 'drop')

    ```
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = (502, 503, 429, "drop")
    after_processing: float = 0.5
    retry_after: float = 0.0
    methods: frozenset[str] = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request FakeGate received: what it was, and how it was answered (``status`` None = dropped).

    No header values are kept, so recorded requests never hold credentials.

    ```pycon
    >>> RecordedRequest(method="GET", path="/applications/demo/pipelineConfigs", query={}, status=200).status
    200

    ```
    """

    method: str
    path: str
    query: Mapping[str, str]
    status: int | None
    fault: str | None = None
    request_id: str | None = None


@attrs.define
class _ScriptedFault:
    kind: FaultKind
    times: int
    method: str | None
    path: str | None
    after: bool


@attrs.define
class _Stored:
    doc: dict[str, Any]
    previous: dict[str, Any] | None
    visible_at: float


class _Response:
    def __init__(self, status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class _SaveRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(status: int, message: str) -> _Response:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
    body = {
        "error": reasons.get(status, "Error"),
        "message": message,
        "status": status,
        "timestamp": int(time.time() * 1000),
    }
    return _Response(status, body)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


class FakeGate:
    """A Gate on an ephemeral port of 127.0.0.1, for tests. Use it as a context manager.

    **Parameters** (all keyword-only):

    - ``users``: username -> password accepted as HTTP Basic and at the ``/login`` form; ``tokens``: accepted
      bearer tokens; ``session_cookies``: accepted ``SESSION`` cookie values. With none of them, everybody
      is let in (as Gate without an auth module).
    - ``unauthenticated``: ``"redirect"`` (302 to ``/login``, as Gate's basic-form module), ``"401"``, or
      ``"login-page"`` (200 with an HTML sign-in page, as some SSO proxies in front of Gate answer).
    - ``latency``: seconds added to every request; ``save_latency``: to saves instead (orca's save task).
    - ``faults``: a `Faults`; ``seed``: seeds the random generator that picks them.
    - ``applications``: the applications that exist; None means any name exists.
    - ``read_lag``: seconds a save stays invisible to reads (read-after-write lag).
    - ``stage_seconds``: how long each stage of an execution runs.

    Inspect what happened with `pipelines`, `requests`, `count` and `executions`; change the live state
    as a Deck user would with `store` and `edit`.

    ```pycon
    >>> with FakeGate() as fake:
    ...     fake.url.startswith("http://127.0.0.1:")
    True

    ```
    """

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        tokens: Collection[str] = (),
        session_cookies: Collection[str] = (),
        unauthenticated: Literal["redirect", "401", "login-page"] = "redirect",
        latency: float = 0.0,
        save_latency: float | None = None,
        faults: Faults | None = None,
        seed: int = 0,
        applications: Iterable[str] | None = None,
        read_lag: float = 0.0,
        stage_seconds: float = 0.0,
    ) -> None:
        self._users = dict(users or {})
        self._tokens = set(tokens)
        self._sessions: dict[str, str] = dict.fromkeys(session_cookies, "cookie-user")
        self.unauthenticated = unauthenticated
        self.latency = latency
        self.save_latency = save_latency
        self.faults = faults or Faults()
        self.read_lag = read_lag
        self.stage_seconds = stage_seconds
        self._applications = None if applications is None else {app.lower() for app in applications}
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._store: dict[str, _Stored] = {}
        self._executions: dict[str, dict[str, Any]] = {}
        self._stage_started: dict[str, float] = {}
        self._requests: list[RecordedRequest] = []
        self._scripted: list[_ScriptedFault] = []
        self._clock_ms = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self) -> FakeGate:
        """Start serving on a free port of 127.0.0.1 (in a background thread)."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeGate:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give a client, such as ``http://127.0.0.1:53817``."""
        if self._server is None:
            raise RuntimeError("FakeGate is not running: use it as a context manager or call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- inspection and set-up -------------------------------------------------------------------------------

    def pipelines(self, application: str | None = None) -> list[dict[str, Any]]:
        """Copies of the stored pipeline configs (all, or of one application), newest state, sorted by name."""
        with self._lock:
            docs = [
                copy.deepcopy(stored.doc)
                for stored in self._store.values()
                if application is None or stored.doc["application"].lower() == application.lower()
            ]
        return sorted(docs, key=lambda doc: (doc["application"].lower(), doc["name"].lower()))

    def pipeline(self, application: str, name: str) -> dict[str, Any] | None:
        """A copy of the stored pipeline with this name (ignoring case), or None."""
        wanted = name.strip().lower()
        return next((doc for doc in self.pipelines(application) if doc["name"].lower() == wanted), None)

    def store(self, document: Mapping[str, Any], *, user: str = "deck-user") -> dict[str, Any]:
        """Save a pipeline directly, as a Deck user would (same rules as ``POST /pipelines``); return it.

        Raises ValueError when front50 would refuse the save.
        """
        try:
            with self._lock:
                return copy.deepcopy(self._save(copy.deepcopy(dict(document)), stale_check=False, user=user))
        except _SaveRefused as exc:
            raise ValueError(exc.message) from None

    def edit(
        self, application: str, name: str, change: Callable[[dict[str, Any]], None], *, user: str = "deck-user"
    ) -> dict[str, Any]:
        """Change a stored pipeline in place, as an edit in Deck would (``updateTs`` moves on); return it."""
        with self._lock:
            document = self.pipeline(application, name)
            if document is None:
                raise KeyError(f"no pipeline {name!r} in {application!r}")
            change(document)
            return self.store(document, user=user)

    def expire_sessions(self) -> None:
        """Forget every session opened by a login, as when Gate's sessions time out."""
        with self._lock:
            self._sessions = {value: user for value, user in self._sessions.items() if user == "cookie-user"}

    def add_application(self, name: str) -> None:
        """Make an application exist (when the fake was given a fixed list of applications)."""
        with self._lock:
            if self._applications is not None:
                self._applications.add(name.lower())

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    def count(
        self, method: str | None = None, path: str | None = None, *, status: int | None = None, prefix: bool = False
    ) -> int:
        """How many requests match the method, path (exactly, or as a prefix) and answer status.

        ```pycon
        >>> fake = FakeGate()
        >>> fake.count("POST", "/pipelines")
        0

        ```
        """
        with self._lock:
            return sum(
                1
                for request in self._requests
                if (method is None or request.method == method)
                and (path is None or (request.path.startswith(path) if prefix else request.path == path))
                and (status is None or request.status == status)
            )

    def clear_requests(self) -> None:
        """Forget the recorded requests (and reset `max_in_flight`)."""
        with self._lock:
            self._requests.clear()
            self._max_in_flight = 0

    @property
    def max_in_flight(self) -> int:
        """The most requests handled at the same time since the start (or `clear_requests`)."""
        with self._lock:
            return self._max_in_flight

    def fail_next(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        after: bool = False,
    ) -> None:
        """Make the next ``times`` matching requests fail with ``kind`` (after carrying them out if ``after``)."""
        with self._lock:
            self._scripted.append(_ScriptedFault(kind=kind, times=times, method=method, path=path, after=after))

    @property
    def executions(self) -> dict[str, dict[str, Any]]:
        """Copies of the executions started so far, by id."""
        with self._lock:
            return copy.deepcopy(self._executions)

    # -- request handling ------------------------------------------------------------------------------------

    def _pick_fault(self, method: str, path: str) -> tuple[FaultKind, bool] | None:
        with self._lock:
            for scripted in self._scripted:
                if (scripted.method in (None, method)) and (scripted.path in (None, path)):
                    scripted.times -= 1
                    if scripted.times <= 0:
                        self._scripted.remove(scripted)
                    return scripted.kind, scripted.after
            faults = self.faults
            if path.startswith(_PERMIT_ALL) or method not in faults.methods or not faults.kinds:
                return None
            if self._rng.random() >= faults.rate:
                return None
            kind = self._rng.choice(faults.kinds)
            after = kind in _MAYBE_AFTER and method != "GET" and self._rng.random() < faults.after_processing
            return kind, after

    def _fault_response(self, kind: FaultKind) -> _Response | None:
        if kind == "drop":
            return None
        if kind == "running":
            task = uuid.uuid4().hex
            return _error(400, f"Pipeline save operation did not succeed: {task} (status: RUNNING)")
        if kind == 429:
            return _Response(
                429,
                {"message": "Rate capacity exceeded"},
                {"Retry-After": f"{self.faults.retry_after:g}"},
            )
        if kind in (502, 504):  # a proxy's page, not Gate's JSON
            return _Response(kind, f"<html><body><h1>{kind} Gateway error</h1></body></html>")
        return _error(int(kind), "Service unavailable")

    def _authenticate(self, handler: BaseHTTPRequestHandler) -> str | None:
        """The user the request authenticates as: "anonymous" when auth is off, None when unauthenticated."""
        if not (self._users or self._tokens or self._sessions):
            return "anonymous"
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                username, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
            return username if self._users.get(username) == password else None
        if header.startswith("Bearer ") and header[7:] in self._tokens:
            return "token-user"
        if handler.headers.get("X-Spinnaker-Token") in self._tokens:
            return "token-user"
        for part in handler.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "SESSION" and value in self._sessions:
                return self._sessions[value]
        return None

    def _login(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> _Response:
        user: str | None = None
        if method == "POST":
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            username = form.get("username", "")
            if username and self._users.get(username) == form.get("password"):
                user = username
        else:
            user = self._authenticate(handler)
        if user is None:
            return _Response(302, None, {"Location": f"{self.url}/login?error"})
        session = uuid.uuid4().hex
        with self._lock:
            self._sessions[session] = user
        return _Response(302, None, {"Location": f"{self.url}/", "Set-Cookie": f"SESSION={session}; Path=/; HttpOnly"})

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        """Answer one request (called by the server's handler threads)."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            self._handle(handler, method)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        path = parts.path
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        request_id = handler.headers.get("X-SPINNAKER-REQUEST-ID")

        fault = self._pick_fault(method, path)
        delay = self.save_latency if (method, path) == ("POST", "/pipelines") and self.save_latency else self.latency
        if delay:
            time.sleep(delay)

        def record(status: int | None, fault_name: str | None = None) -> None:
            with self._lock:
                self._requests.append(
                    RecordedRequest(
                        method=method,
                        path=path,
                        query=query,
                        status=status,
                        fault=fault_name,
                        request_id=request_id,
                    )
                )

        if fault is not None and not fault[1]:
            answer = self._fault_response(fault[0])
            record(None if answer is None else answer.status, str(fault[0]))
            _send(handler, answer, request_id)
            return

        user = self._authenticate(handler)
        if path == "/login":
            answer = self._login(handler, method, body)
        elif user is None and not path.startswith(_PERMIT_ALL):
            if self.unauthenticated == "401":
                answer = _error(401, "Full authentication is required to access this resource")
            elif self.unauthenticated == "login-page":
                answer = _Response(200, "<html><body><form action='/login'>Sign in</form></body></html>")
            else:
                answer = _Response(302, None, {"Location": f"{self.url}/login"})
        else:
            try:
                answer = self._route(method, path, query, body, user or "anonymous")
            except Exception as exc:  # the fake must answer, like Gate's error handler
                answer = _error(500, f"FakeGate: {type(exc).__name__}: {exc}")

        if fault is not None:  # the request was carried out; the answer is lost
            lost = self._fault_response(fault[0])
            record(None if lost is None else lost.status, str(fault[0]))
            _send(handler, lost, request_id)
            return
        record(answer.status)
        _send(handler, answer, request_id)

    # -- routes -----------------------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: Mapping[str, str], body: bytes, user: str) -> _Response:
        segments = [unquote(segment) for segment in path.strip("/").split("/")] if path.strip("/") else []
        match (method, segments):
            case ("GET", ["health"]):
                return _Response(200, {"status": "UP"})
            case ("GET", ["auth", "user"]):
                return _Response(200, {} if user == "anonymous" and self._users else {"username": user})
            case ("GET", ["applications", application]):
                return self._get_application(application)
            case ("GET", ["applications", application, "pipelineConfigs"]):
                return self._list(application, query.get("pipelineNameFilter"))
            case ("GET", ["applications", application, "pipelineConfigs", name]):
                return self._get_by_name(application, name)
            case ("POST", ["pipelines"]):
                return self._post_pipeline(body, query.get("staleCheck", "false") == "true", user)
            case ("DELETE", ["pipelines", application, name]):
                return self._delete(application, name)
            case ("POST", ["pipelines", application, name_or_id]):
                return self._trigger(application, name_or_id, body, user)
            case ("GET", ["pipelines", execution_id]):
                return self._get_execution(execution_id)
            case ("PATCH", ["pipelines", execution_id, "stages", stage_id]):
                return self._judge(execution_id, stage_id, body, user)
        return _error(404, f"No handler found for {method} {path}")

    def _visible(self, stored: _Stored, now: float) -> dict[str, Any] | None:
        return stored.doc if now >= stored.visible_at else stored.previous

    def _visible_docs(self, application: str) -> list[dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            docs = [self._visible(stored, now) for stored in self._store.values()]
        return [
            copy.deepcopy(doc) for doc in docs if doc is not None and doc["application"].lower() == application.lower()
        ]

    def _get_application(self, application: str) -> _Response:
        exists = self._applications is None or application.lower() in self._applications
        if not exists:
            return _error(404, f"Application not found (id: {application})")
        return _Response(200, {"name": application, "attributes": {"name": application, "email": "team@example.com"}})

    def _list(self, application: str, name_filter: str | None) -> _Response:
        docs = self._visible_docs(application)
        if name_filter:
            docs = [doc for doc in docs if name_filter.lower() in doc["name"].lower()]
        docs.sort(key=lambda doc: (doc.get("index") is None, doc.get("index") or 0, doc["name"].lower()))
        for index, doc in enumerate(docs):  # front50 renumbers when listing
            doc["index"] = index
        return _Response(200, docs)

    def _get_by_name(self, application: str, name: str) -> _Response:
        for doc in self._visible_docs(application):
            if doc["name"] == name:  # Gate 1.21-2025.2: exact, case-sensitive
                return _Response(200, doc)
        return _error(404, f"Pipeline config (id: {name}) not found for Application (id: {application})")

    def _post_pipeline(self, body: bytes, stale_check: bool, user: str) -> _Response:
        try:
            document = json.loads(body or b"null")
        except ValueError:
            return _error(400, "Could not read the pipeline JSON")
        if not isinstance(document, dict):
            return _error(400, "Pipeline save operation did not succeed: the body is not a pipeline")
        try:
            with self._lock:
                self._save(document, stale_check=stale_check, user=user)
        except _SaveRefused as exc:
            return _error(400, exc.message)  # Gate turns every failed save task into a 400
        return _Response(200, None)

    def _save(self, document: dict[str, Any], *, stale_check: bool, user: str) -> dict[str, Any]:
        """front50's PipelineController.save, with orca's savePipeline task around it. Hold the lock."""
        document = _drop_nulls(document)  # orca serializes to front50 without nulls
        application, name = document.get("application"), document.get("name")
        if not isinstance(application, str) or not application.strip() or not isinstance(name, str) or not name.strip():
            raise _SaveRefused("A pipeline requires name and application fields")
        document["name"] = name = name.strip()
        pipeline_id = document.get("id") or None
        existing = self._store.get(pipeline_id) if pipeline_id else None

        for trigger in document.get("triggers") or []:
            if isinstance(trigger, dict) and str(trigger.get("type", "")).lower() == "cron":
                if not trigger.get("id") or not pipeline_id:
                    trigger["id"] = str(uuid.uuid4())

        submitted = document.get("updateTs")
        if stale_check and existing is not None and submitted is not None:
            stored = existing.doc["updateTs"]
            if str(submitted) != stored:
                raise _SaveRefused(
                    f"The submitted pipeline is stale.  submitted updateTs {submitted} does not match stored "
                    f"updateTs {stored}"
                )

        for stored_entry in self._store.values():
            other = stored_entry.doc
            same_app = other["application"].lower() == application.lower()
            if same_app and other["name"].lower() == name.lower() and other["id"] != pipeline_id:
                raise _SaveRefused(f"A pipeline with name {name} already exists in application {application}")

        if pipeline_id is None:
            pipeline_id = str(uuid.uuid4())
        if "index" not in document and existing is not None and "index" in existing.doc:
            document["index"] = existing.doc["index"]  # orca's SavePipelineTask keeps the stored index
        for key in _SERVER_OWNED:
            document.pop(key, None)
        self._clock_ms = max(int(time.time() * 1000), self._clock_ms + 1)
        document.update(id=pipeline_id, lastModifiedBy=user, updateTs=str(self._clock_ms))
        document.setdefault("schema", "1")
        now = time.monotonic()
        previous = None
        if existing is not None:
            previous = existing.doc if now >= existing.visible_at else existing.previous
        self._store[pipeline_id] = _Stored(doc=document, previous=previous, visible_at=now + self.read_lag)
        return document

    def _delete(self, application: str, name: str) -> _Response:
        with self._lock:
            for pipeline_id, stored in list(self._store.items()):
                doc = stored.doc
                if doc["application"].lower() == application.lower() and doc["name"].lower() == name.strip().lower():
                    del self._store[pipeline_id]
                    break  # Gate deletes the first match; none is fine too
        return _Response(200, None)

    # -- executions -------------------------------------------------------------------------------------------

    def _find_config(self, application: str, name_or_id: str) -> dict[str, Any] | None:
        docs = self._visible_docs(application)
        return next((d for d in docs if d["name"] == name_or_id), None) or next(
            (d for d in docs if d["id"] == name_or_id), None
        )

    def _trigger(self, application: str, name_or_id: str, body: bytes, user: str) -> _Response:
        config = self._find_config(application, name_or_id)
        prefix = f"Unable to trigger pipeline (application: {application}, pipelineNameOrId: {name_or_id}). Error: "
        if config is None:
            return _error(404, prefix + "pipeline not found")
        if config.get("disabled"):
            return _error(400, prefix + "Pipeline is disabled and cannot be started.")
        trigger = json.loads(body) if body else {}
        trigger.setdefault("type", "manual")
        trigger.setdefault("user", user)
        parameters = dict(trigger.get("parameters") or {})
        for parameter in config.get("parameterConfig") or []:
            if parameter.get("name") not in parameters:
                if parameter.get("required") and parameter.get("default") in (None, ""):
                    return _error(400, prefix + f"Required parameter {parameter.get('name')} is missing")
                parameters[parameter.get("name")] = parameter.get("default")
        trigger["parameters"] = parameters
        execution_id = uuid.uuid4().hex.upper()[:26]
        stages = [
            {
                "id": uuid.uuid4().hex,
                "refId": stage.get("refId"),
                "type": stage.get("type"),
                "name": stage.get("name"),
                "status": "NOT_STARTED",
                "context": {k: v for k, v in stage.items() if k not in ("refId", "type", "name")},
            }
            for stage in config.get("stages") or []
        ]
        with self._lock:
            self._executions[execution_id] = {
                "id": execution_id,
                "type": "PIPELINE",
                "application": config["application"],
                "name": config["name"],
                "pipelineConfigId": config["id"],
                "status": "RUNNING",
                "startTime": int(time.time() * 1000),
                "trigger": trigger,
                "stages": stages,
            }
        return _Response(202, {"ref": f"/pipelines/{execution_id}"})

    def _advance(self, execution: dict[str, Any]) -> None:
        """Run stages in order, each for ``stage_seconds``; stop at a Manual Judgment until it is answered."""
        if execution["status"] != "RUNNING":
            return
        now = time.monotonic()
        for stage in execution["stages"]:
            if stage["status"] == "SUCCEEDED":
                continue
            if stage["status"] == "NOT_STARTED":
                stage["status"] = "RUNNING"
                self._stage_started[stage["id"]] = now
            if stage["type"] == "manualJudgment":
                decision = str(stage["context"].get("judgmentStatus") or "").lower()
                if decision == "continue":
                    stage["status"] = "SUCCEEDED"
                    continue
                if decision == "stop":
                    stage["status"] = "TERMINAL"
                    execution["status"] = "TERMINAL"
                return
            if now - self._stage_started[stage["id"]] >= self.stage_seconds:
                stage["status"] = "SUCCEEDED"
                continue
            return
        execution["status"] = "SUCCEEDED"
        execution["endTime"] = int(time.time() * 1000)

    def _get_execution(self, execution_id: str) -> _Response:
        with self._lock:
            execution = self._executions.get(execution_id)
            if execution is None:
                return _error(404, f"Pipeline not found (id: {execution_id})")
            self._advance(execution)
            return _Response(200, copy.deepcopy(execution))

    def _judge(self, execution_id: str, stage_id: str, body: bytes, user: str) -> _Response:
        update = json.loads(body) if body else {}
        with self._lock:
            execution = self._executions.get(execution_id)
            if execution is None:
                return _error(404, f"Pipeline not found (id: {execution_id})")
            stage = next((s for s in execution["stages"] if s["id"] == stage_id), None)
            if stage is None:
                return _error(404, f"Stage not found (id: {stage_id})")
            status = str(update.get("judgmentStatus", "")).lower()
            if stage["type"] != "manualJudgment" or status not in _JUDGMENT_STATUSES:
                return _error(400, "judgmentStatus must be continue or stop, on a Manual Judgment stage")
            stage["context"].update(update, lastModifiedBy=user)
            self._advance(execution)
            return _Response(200, copy.deepcopy(execution))


def _send(handler: BaseHTTPRequestHandler, answer: _Response | None, request_id: str | None) -> None:
    if answer is None:  # drop the connection without answering
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)
        return
    if answer.body is None:
        payload, content_type = b"", "application/json"
    elif isinstance(answer.body, str):
        payload, content_type = answer.body.encode(), "text/html;charset=utf-8"
    else:
        payload, content_type = json.dumps(answer.body).encode(), "application/json"
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
        fake: FakeGate = self.server.fake  # type: ignore[attr-defined]
        fake.handle(self, self.command)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read `FakeGate.requests` instead."""
