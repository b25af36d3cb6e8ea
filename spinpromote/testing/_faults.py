"""FakeGate's fault injection: which requests fail, and how.

Transient faults (statuses, dropped connections, orca still running) are what Gate and the proxies in front of
it really answer under load. Garbage faults are answers a broken proxy or a misrouted request give: a success
status whose body is not what Gate's API answers.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Mapping
from typing import Any, Literal, get_args

import attrs

from spinpromote.testing._http import Answer, error_answer

__all__ = ["GARBAGE", "FaultKind", "FaultPicker", "Faults", "RecordedRequest", "fault_answer", "garble"]

Garbage = Literal["not-json", "html", "truncated", "wrong-type", "wrong-shape"]

FaultKind = Literal[
    429, 500, 502, 503, 504, "drop", "running", "not-json", "html", "truncated", "wrong-type", "wrong-shape"
]
"""A status to answer with; ``"drop"`` closes the connection without an answer; ``"running"`` answers a save
with Gate's 400 "(status: RUNNING)" (orca did not finish in time). The garbage kinds answer 200 after carrying
out the request: ``"not-json"`` plain text, ``"html"`` a web page, ``"truncated"`` the JSON cut short,
``"wrong-type"`` a list for an object (and an object for a list), ``"wrong-shape"`` every value a number
(``{"stages": 5}``)."""

GARBAGE: frozenset[Garbage] = frozenset(get_args(Garbage))
_KINDS = (429, 500, 502, 503, 504, "drop", "running", *sorted(GARBAGE))

# Faults that can hit after the request was carried out: a proxy timing out, a connection lost on the
# way back, orca still running. A 429 or 503 is answered before Gate does anything.
_MAYBE_AFTER: frozenset[Any] = frozenset({500, 502, 504, "drop", "running"})
_NEVER_FAULTED = ("/auth/user", "/health", "/login", "/error")


@attrs.frozen(kw_only=True)
class Faults:
    """Random transient failures: ``rate`` of requests fail with one of ``kinds``, chosen at random.

    A ``drop``, 500, 502, 504 or ``running`` fault on a write happens after the write was carried out with
    probability ``after_processing`` (the client cannot tell which). A 429 carries ``Retry-After``.

    ```pycon
    >>> from spinpromote.gate import GateClient, RetryPolicy
    >>> with FakeGate(faults=Faults(rate=0.5), seed=1) as fake:
    ...     with GateClient(fake.url, retry=RetryPolicy(attempts=20, backoff=0.001)) as gate:
    ...         lists = [gate.list_pipeline_configs("demo") for _ in range(10)]
    ...     print(sorted({r.fault for r in fake.requests if r.fault}))
    ['429', '502', '503', 'drop']

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
    >>> from spinpromote.gate import GateClient, RetryPolicy
    >>> with FakeGate() as fake, GateClient(fake.url, retry=RetryPolicy(backoff=0.001)) as gate:
    ...     fake.fail_next(503)
    ...     _ = gate.list_pipeline_configs("demo")
    ...     print([(r.method, r.status, r.fault) for r in fake.requests])
    [('GET', 503, '503'), ('GET', 200, None)]

    ```
    """

    method: str
    path: str
    query: Mapping[str, str]
    status: int | None
    fault: str | None = None
    request_id: str | None = None


@attrs.define
class _Scripted:
    kind: FaultKind
    times: int
    method: str | None
    path: str | None
    after: bool


class FaultPicker:
    """Decides, request by request, whether and how to fail: scripted faults first, then random ones."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._rng = random.Random(seed)
        self._scripted: list[_Scripted] = []
        self._lock = threading.Lock()

    def script(self, kind: FaultKind, *, times: int, method: str | None, path: str | None, after: bool) -> None:
        """Fail the next ``times`` matching requests with ``kind``."""
        if kind not in _KINDS:
            raise ValueError(f"unknown fault {kind!r}; pick one of {', '.join(map(repr, _KINDS))}")
        with self._lock:
            self._scripted.append(_Scripted(kind=kind, times=times, method=method, path=path, after=after))

    def pick(self, method: str, path: str) -> tuple[FaultKind, bool] | None:
        """The fault for this request and whether it hits after the request was carried out, or None."""
        with self._lock:
            for scripted in self._scripted:
                if scripted.method in (None, method) and scripted.path in (None, path):
                    scripted.times -= 1
                    if scripted.times <= 0:
                        self._scripted.remove(scripted)
                    return scripted.kind, scripted.after or scripted.kind in GARBAGE
            faults = self.faults
            if path.startswith(_NEVER_FAULTED) or method not in faults.methods or not faults.kinds:
                return None
            if self._rng.random() >= faults.rate:
                return None
            kind = self._rng.choice(faults.kinds)
            if kind in GARBAGE:
                return kind, True
            after = kind in _MAYBE_AFTER and method != "GET" and self._rng.random() < faults.after_processing
            return kind, after


def fault_answer(kind: FaultKind, retry_after: float) -> Answer | None:
    """The answer to a transient fault (None: drop the connection)."""
    if kind == "drop":
        return None
    if kind == "running":
        task = uuid.uuid4().hex
        return error_answer(400, f"Pipeline save operation did not succeed: {task} (status: RUNNING)")
    if kind == 429:
        return Answer(429, {"message": "Rate capacity exceeded"}, {"Retry-After": f"{retry_after:g}"})
    if kind in (502, 504):  # a proxy's page, not Gate's JSON
        return Answer(int(kind), f"<html><body><h1>{kind} Gateway error</h1></body></html>")
    return error_answer(int(kind), "Service unavailable")


def _numbers_for_values(value: Any) -> Any:
    if isinstance(value, dict):
        return dict.fromkeys(value, 5)
    return value


def garble(kind: Garbage, real: Answer) -> Answer:
    """A 200 whose body is garbage of this kind, made from the real answer's body."""
    body = real.body
    if kind == "not-json":
        return Answer(200, b"OK", content_type="text/plain")
    if kind == "html":
        return Answer(200, "<html><body><h1>Scheduled maintenance</h1></body></html>")
    if kind == "truncated":
        text = json.dumps(body if body is not None else {"ok": True}).encode()
        return Answer(200, text[: max(1, len(text) // 2)], content_type="application/json")
    if kind == "wrong-type":
        return Answer(200, {} if isinstance(body, list) else [])
    if isinstance(body, list):  # wrong-shape
        return Answer(200, [_numbers_for_values(item) for item in body] or [{"name": 5}])
    return Answer(200, _numbers_for_values(body) if isinstance(body, dict) and body else {"stages": 5, "ref": 5})
