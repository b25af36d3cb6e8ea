"""`FakeGate`: the front door that joins the HTTP server, Gate's auth, the simulated Spinnaker behind it and
faults."""

from __future__ import annotations

import base64
import copy
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from spinpromote.sim import Spinnaker, SpinnakerAnswer
from spinpromote.testing._faults import GARBAGE, FaultKind, FaultPicker, Faults, RecordedRequest, fault_answer, garble
from spinpromote.testing._http import Answer, Server, error_answer, send
from spinpromote.testing._lag import ReadLag
from spinpromote.testing._routes import Routes

__all__ = ["FakeGate"]

_PERMIT_ALL = ("/auth/user", "/health", "/login", "/error")


class FakeGate:
    """A Gate on an ephemeral port of 127.0.0.1, for tests, in front of a simulated Spinnaker
    (`spinpromote.sim.Spinnaker`). Use it as a context manager.

    Saves go through the simulator's front50 rules, a trigger starts a simulated execution (202 and a ``ref``),
    ``GET /pipelines/{id}`` answers orca's execution JSON, a judgment PATCH applies on the next step: one state
    behind two doors, HTTP and Python (``fake.spinnaker``).

    **Time.** The simulator's clock jumps; nothing sleeps. Before FakeGate answers a request, or an inspection
    such as `executions`, it runs whatever is due at the current simulated time (stages start, finish, and
    trigger the pipelines that follow, a PATCHed judgment or a cancel takes effect), so what was asynchronous in
    orca shows only in the answer of the request that caused it. Simulated time moves only through `advance`
    (or ``fake.spinnaker.advance``): a Wait stage, an execution window, a judgment's timeout or a cron trigger
    falls due then, never because real time passed while a client polled. With ``steps_per_request=n`` only
    the next ``n`` actions run before each answer, so a polling client sees an execution move one step at a
    time.

    **Parameters** (all keyword-only):

    - ``spinnaker``: the `Spinnaker` to serve (default: a new one); ``stale_check``: for that new one, True is
      a front50 whose operator enabled the staleCheck repair (default False: inert, as released front50).
    - ``users``: username -> password accepted as HTTP Basic and at the ``/login`` form; ``tokens``: accepted
      bearer tokens; ``session_cookies``: accepted ``SESSION`` cookie values. With none of them, everybody
      is let in (as Gate without an auth module).
    - ``unauthenticated``: ``"redirect"`` (302 to ``/login``, as Gate's basic-form module), ``"401"``, or
      ``"login-page"`` (200 with an HTML sign-in page, as some SSO proxies in front of Gate answer).
    - ``latency``: seconds added to every request; ``save_latency``: to saves instead (orca's save task).
    - ``faults``: a `Faults`; ``seed``: seeds the random generator that picks them.
    - ``applications``: the applications that exist (created at once, email ``team@example.com``); more are
      created through ``POST /tasks`` or `add_application`. None (the default) also answers every other name as
      an existing application, which Spinnaker does not.
    - ``read_lag``: seconds a save stays invisible to reads (read-after-write lag).
    - ``steps_per_request``: how many due actions run before each answer (None: all of them).

    Inspect what happened with `pipelines`, `requests`, `count` and `executions`; change the live state
    as a Deck user would with `store` and `edit`; make requests fail with `fail_next`.

    ```pycon
    >>> from spinpromote.gate import BasicAuth, GateClient
    >>> with FakeGate(users={"alice": "pw"}) as fake, GateClient(fake.url, auth=BasicAuth("alice", "pw")) as gate:
    ...     _ = gate.save_pipeline(Pipeline(application="demo", name="Deploy"))
    ...     print(fake.pipeline("demo", "deploy")["lastModifiedBy"], fake.count("POST", "/pipelines"))
    alice 1

    ```
    """

    def __init__(
        self,
        *,
        spinnaker: Spinnaker | None = None,
        stale_check: bool | None = None,
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
        steps_per_request: int | None = None,
    ) -> None:
        if spinnaker is not None and stale_check is not None:
            raise ValueError("give stale_check to the Spinnaker you pass: Spinnaker(stale_check=True)")
        self._users = dict(users or {})
        self._tokens = set(tokens)
        self._sessions: dict[str, str] = dict.fromkeys(session_cookies, "cookie-user")
        self.unauthenticated = unauthenticated
        self.latency = latency
        self.save_latency = save_latency
        self.steps_per_request = steps_per_request
        self._lock = threading.RLock()
        self.spinnaker = spinnaker if spinnaker is not None else Spinnaker(stale_check=bool(stale_check))
        self._any_application = applications is None
        for application in applications or ():
            self.add_application(application)
        self._lag = ReadLag(read_lag)
        self._routes = Routes(self.spinnaker, read_lag=self._lag, any_application=self._application_exists)
        self._faults = FaultPicker(faults or Faults(), seed)
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._server = Server(self._handle_request)

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self) -> FakeGate:
        """Start serving on a free port of 127.0.0.1 (in a background thread)."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.stop()

    def __enter__(self) -> FakeGate:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give a client, such as ``http://127.0.0.1:53817``."""
        return self._server.url

    # -- settings that tests change on the fly ---------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """The random faults in effect; assign a new `Faults` to change them."""
        return self._faults.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults.faults = value

    @property
    def read_lag(self) -> float:
        """Seconds a save stays invisible to reads."""
        return self._lag.seconds

    @read_lag.setter
    def read_lag(self, value: float) -> None:
        self._lag.seconds = value

    # -- simulated time --------------------------------------------------------------------------------------

    def _run_due(self) -> None:
        """Run what is due now (all of it, or ``steps_per_request`` actions). Hold the lock."""
        if self.steps_per_request is None:
            self.spinnaker.settle()
            return
        for _ in range(self.steps_per_request):
            if not self.spinnaker.step():
                return

    def advance(self, delta: timedelta | float) -> None:
        """Move simulated time forward by ``delta`` (a timedelta, or seconds), running what falls due.

        ```pycon
        >>> from datetime import timedelta
        >>> fake = FakeGate()
        >>> before = fake.spinnaker.now
        >>> fake.advance(timedelta(minutes=5))
        >>> fake.spinnaker.now - before
        datetime.timedelta(seconds=300)

        ```
        """
        with self._lock:
            self.spinnaker.advance(delta)

    def settle(self) -> None:
        """Run everything due at the current simulated time (FakeGate does it before each answer anyway)."""
        with self._lock:
            self.spinnaker.settle()

    # -- inspection and set-up -------------------------------------------------------------------------------

    def pipelines(self, application: str | None = None) -> list[dict[str, Any]]:
        """Copies of the stored pipeline configs (all, or of one application), newest state, sorted by name."""
        with self._lock:
            found = [
                copy.deepcopy(document)
                for document in self.spinnaker.front50
                if application is None or document["application"].lower() == application.lower()
            ]
        return sorted(found, key=lambda doc: (doc["application"].lower(), doc["name"].lower()))

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
                return self._lag.save(self.spinnaker, document, stale_check=False, user=user)
        except SpinnakerAnswer as refused:
            raise ValueError(refused.message) from None

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

    def add_application(self, name: str, **attributes: Any) -> dict[str, Any]:
        """Create (or update) an application at once, as Deck would; return front50's record.

        ``email`` defaults to ``team@example.com`` (front50 requires one); other attributes are kept as given.
        """
        with self._lock:
            try:
                return self.spinnaker.save_application(
                    {"name": name, "email": "team@example.com", **attributes}, user="deck-user"
                )
            except SpinnakerAnswer as refused:
                raise ValueError(refused.message) from None

    def _application_exists(self, name: str) -> bool:
        return self._any_application

    @property
    def executions(self) -> dict[str, dict[str, Any]]:
        """Copies of orca's execution JSON, by id, oldest first (after running what is due now)."""
        with self._lock:
            self._run_due()
            return {
                execution_id: self.spinnaker.execution_json(execution_id)
                for execution_id in self.spinnaker.orca.executions
            }

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
        """Make the next ``times`` matching requests fail with ``kind`` (after carrying them out if ``after``).

        Garbage kinds (``"not-json"``, ``"html"``, ``"truncated"``, ``"wrong-type"``, ``"wrong-shape"``) always
        carry the request out, then answer 200 with garbage: a save lands, its answer is lost.
        """
        self._faults.script(kind, times=times, method=method, path=path, after=after)

    # -- request handling ------------------------------------------------------------------------------------

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

    def _login(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> Answer:
        user: str | None = None
        if method == "POST":
            # Spring reads a form whatever its bytes: undecodable ones cannot be a valid password
            form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
            username = form.get("username", "")
            if username and self._users.get(username) == form.get("password"):
                user = username
        else:
            user = self._authenticate(handler)
        if user is None:
            return Answer(302, None, {"Location": f"{self.url}/login?error"})
        session = uuid.uuid4().hex
        with self._lock:
            self._sessions[session] = user
        return Answer(302, None, {"Location": f"{self.url}/", "Set-Cookie": f"SESSION={session}; Path=/; HttpOnly"})

    def _unauthenticated(self) -> Answer:
        if self.unauthenticated == "401":
            return error_answer(401, "Full authentication is required to access this resource")
        if self.unauthenticated == "login-page":
            return Answer(200, "<html><body><form action='/login'>Sign in</form></body></html>")
        return Answer(302, None, {"Location": f"{self.url}/login"})

    def _answer(
        self, handler: BaseHTTPRequestHandler, method: str, path: str, query: Mapping[str, str], body: bytes
    ) -> Answer:
        """What Gate answers when no fault interferes: auth first, then the Spinnaker behind it."""
        try:
            user = self._authenticate(handler)
            if path == "/login":
                return self._login(handler, method, body)
            if path == "/auth/user":
                return Answer(200, {} if user is None and self._users else {"username": user or "anonymous"})
            if user is None and not path.startswith(_PERMIT_ALL):
                return self._unauthenticated()
            with self._lock:
                self._run_due()
                return self._routes.answer(method, path, query, body, user or "anonymous")
        except Exception as exc:  # the fake must answer, like Gate's error handler
            return error_answer(500, f"FakeGate: {type(exc).__name__}: {exc}")

    def _handle_request(self, handler: BaseHTTPRequestHandler, method: str) -> None:
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
        parts = urlsplit(handler.path)
        path = parts.path
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        request_id = handler.headers.get("X-SPINNAKER-REQUEST-ID")
        length_header = handler.headers.get("Content-Length") or "0"
        if not length_header.isdigit():  # the body's end is unknown: answer, then close (as Tomcat does)
            handler.close_connection = True
            self._record(method, path, query, 400, None, request_id)
            send(handler, error_answer(400, f"Invalid Content-Length {length_header!r}"), request_id)
            return
        length = int(length_header)
        body = handler.rfile.read(length) if length else b""  # always read: the connection is kept alive

        fault = self._faults.pick(method, path)
        delay = self.save_latency if (method, path) == ("POST", "/pipelines") and self.save_latency else self.latency
        if delay:
            time.sleep(delay)

        answer: Answer | None
        if fault is not None and not fault[1]:  # failed before Gate did anything
            answer = fault_answer(fault[0], self.faults.retry_after)
        else:
            answer = self._answer(handler, method, path, query, body)
            if fault is not None:  # the request was carried out; its answer is lost or garbled
                kind: Any = fault[0]
                answer = garble(kind, answer) if kind in GARBAGE else fault_answer(kind, self.faults.retry_after)
        status = None if answer is None else answer.status
        self._record(method, path, query, status, None if fault is None else str(fault[0]), request_id)
        send(handler, answer, request_id)

    def _record(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        status: int | None,
        fault: str | None,
        request_id: str | None,
    ) -> None:
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    method=method, path=path, query=query, status=status, fault=fault, request_id=request_id
                )
            )

    def __repr__(self) -> str:
        where = self.url if self._server.running else "not running"
        return f"<FakeGate {where}: {len(self.pipelines())} pipeline(s)>"
