"""One HTTP exchange with Gate, done carefully: timeouts, no redirects, request ids, retries, error mapping.

Everything above this module speaks in paths and JSON; everything about requests stays here.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
import warnings
from collections.abc import Mapping
from enum import Enum
from typing import Any, Literal
from urllib.parse import urlsplit

import attrs
import requests
import urllib3.exceptions

from spinpromote._terminal import printable
from spinpromote.errors import (
    GateAuthError,
    GateConflictError,
    GateConnectionError,
    GateHTTPError,
    GateResponseError,
    GateStaleError,
    GateTimeout,
    GateTransportError,
)
from spinpromote.gate._auth import GateAuth, checked_header
from spinpromote.gate._exchange import REDACTED, RequestInfo, ResponseInfo, redact_url
from spinpromote.gate._retry import (
    REFUSED_ATTEMPTS,
    REFUSED_BACKOFF,
    RETRYABLE_STATUSES,
    Budget,
    RetryPolicy,
    parse_retry_after,
)

__all__ = [
    "Retry",
    "Timeout",
    "Transport",
    "auth_failure",
    "gate_message",
    "http_error",
    "json_body",
    "json_kind",
    "response_error",
]

logger = logging.getLogger("spinpromote.gate")

REQUEST_ID_HEADER = "X-SPINNAKER-REQUEST-ID"


@attrs.frozen(kw_only=True)
class Timeout:
    """Seconds to wait for a connection and for an answer.

    A save blocks in Gate while orca runs the save task (up to about 32 s by default), so the read
    timeout is generous.

    ```pycon
    >>> Timeout()
    Timeout(connect=5.0, read=60.0)

    ```
    """

    connect: float = 5.0
    read: float = 60.0

    @classmethod
    def of(cls, value: Timeout | float | tuple[float, float]) -> Timeout:
        """Accept a Timeout, one number for both, or a (connect, read) pair.

        ```pycon
        >>> Timeout.of((1, 30))
        Timeout(connect=1, read=30)

        ```
        """
        if isinstance(value, Timeout):
            return value
        if isinstance(value, tuple):
            return cls(connect=value[0], read=value[1])
        return cls(connect=value, read=value)


class Retry(Enum):
    """Which failures a request may be retried on without asking Gate what happened."""

    #: Reads and deletes: any transient failure (connection, timeout, 429, 502, 503, 504).
    IDEMPOTENT = "idempotent"
    #: Writes: only failures where Gate surely did nothing (429, or no connection at all).
    UNSENT_ONLY = "unsent-only"


def gate_message(response: requests.Response) -> str | None:
    """Gate's own error message from its JSON error body, else the start of the body text.

    kork's error body has ``message`` (and sometimes ``errors``); keys and timestamp formats vary by version.
    """
    try:
        body = response.json()
    except (ValueError, RecursionError):
        text = response.text.strip()
        return text[:300] or None
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return str(errors[0])
    return None


def _response_info(response: requests.Response) -> ResponseInfo:
    return ResponseInfo(
        status=response.status_code,
        reason=response.reason or "",
        headers=dict(response.headers),
        text=response.text,
    )


def _request_info(response: requests.Response) -> RequestInfo:
    prepared = response.request
    return RequestInfo(
        method=prepared.method or "",
        url=prepared.url or "",
        request_id=prepared.headers.get(REQUEST_ID_HEADER, ""),
        headers=dict(prepared.headers),
    )


def auth_failure(response: requests.Response, message: str, auth: GateAuth | None) -> GateAuthError:
    """Build the `GateAuthError` for an answer that means "log in first" or "not allowed", with a hint."""
    status = response.status_code
    if 300 <= status < 400:
        where = redact_url(response.headers.get("Location", "?"))
        detail = f"Gate redirected to {where} (HTTP {status}): it wants a login"
    elif status == 403:
        detail = f"Gate denied access (HTTP 403: {gate_message(response) or 'Access is denied'})"
    elif status == 401:
        detail = "Gate asked for credentials (HTTP 401)"
    else:
        detail = f"Gate answered HTTP {status} with a web page instead of JSON (a login page?)"
    if auth is None:
        hint = "no credentials were given: pass auth=BasicAuth(...), BearerToken(...), X509ClientCert(...), ..."
    elif status == 403:
        hint = f"the {auth.label} were accepted, but this user lacks permission (check Fiat roles)"
    else:
        hint = f"check the {auth.label} and that Gate has that auth module enabled"
    return GateAuthError(
        f"{message}: {printable(detail)}; hint: {hint}",
        status=status,
        request=_request_info(response),
        response=_response_info(response),
    )


def http_error(response: requests.Response, action: str) -> GateHTTPError | GateStaleError:
    """Map an error answer to the most specific `GateHTTPError`.

    Gate answers every failed save with 400; the message says why. Match substrings, not whole strings,
    because orca may prefix front50's message ("Status: 400, Method: POST, URL: ..., Message: ...").
    """
    message = gate_message(response)
    status = response.status_code
    lowered = (message or "").lower()
    cls: type[GateHTTPError] = GateHTTPError
    if "stale" in lowered:  # front50's staleCheck, where the operator enabled it (spinnaker/spinnaker #8022)
        return GateStaleError(
            f"{action} refused by front50's staleCheck: {printable(message or '')}; plan again to see the change",
            request=_request_info(response),
            response=_response_info(response),
        )
    if "already exists" in lowered:
        cls = GateConflictError
    return cls(
        f"{action} failed: HTTP {status}" + (f": {printable(message)}" if message else ""),
        status=status,
        gate_message=message,
        request=_request_info(response),
        response=_response_info(response),
    )


def response_error(response: requests.Response, action: str, problem: str) -> GateResponseError:
    """The error for a success answer that is not what Gate's API answers (``problem`` says how)."""
    return GateResponseError(
        f"{action}: Gate answered HTTP {response.status_code} with {problem}; "
        "hint: is a proxy or a web page answering in Gate's place?",
        request=_request_info(response),
        response=_response_info(response),
    )


def json_kind(value: Any) -> str:
    """How to name a JSON value's type in a message: "an object", "a list", "a number", ...

    ```pycon
    >>> json_kind([]), json_kind(5), json_kind(None)
    ('a list', 'a number', 'null')

    ```
    """
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


MAX_ANSWER_DEPTH = 400
"""The deepest nesting accepted in an answer: well above the codec's limit for pipelines, and within what
planning, diffing and applying handle (they recurse; tested at this depth)."""


def _nested_deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:  # iterative: the check itself must not recurse
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_body(response: requests.Response, action: str) -> Any:
    """The JSON value of a success answer; `GateResponseError` when it is not JSON or nests absurdly deep."""
    try:
        value = json.loads(response.content)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        problem = f"a body that is not valid JSON ({type(exc).__name__} at byte {getattr(exc, 'pos', '?')})"
    else:
        if not _nested_deeper_than(value, MAX_ANSWER_DEPTH):
            return value
        problem = f"JSON nested deeper than {MAX_ANSWER_DEPTH} levels"
    raise response_error(response, action, problem)


@attrs.frozen(kw_only=True)
class _Failure:
    """What a failed send tells, as plain data.

    requests' exceptions hold the prepared request (its Authorization header) and their tracebacks hold the
    raw header bytes, so they are neither chained to our errors nor kept alive by them.
    """

    kind: Literal["timeout", "tls", "setup", "connection"]
    detail: str
    transient: bool
    never_sent: bool
    refused: bool = False


def _never_sent(exc: OSError) -> bool:
    """True when the request surely did not reach Gate: no connection could be made."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _refused(exc: OSError) -> bool:
    """True when the host answered "connection refused": nothing listens on that port."""
    return "connection refused" in str(exc).lower() or isinstance(exc.__context__, ConnectionRefusedError)


# What OpenSSL says when the server answers TLS with plain HTTP (versions differ in the wording).
_PLAIN_HTTP_SIGNS = ("wrong version number", "record layer failure", "packet length too long", "http request")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _is_html(response: requests.Response) -> bool:
    return "text/html" in response.headers.get("Content-Type", "").lower()


class Transport:
    """Sends requests to one Gate through one `requests.Session`; thread-safe for concurrent calls."""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session,
        auth: GateAuth | None,
        headers: Mapping[str, str],
        timeout: Timeout,
        verify: bool | str,
        retry: RetryPolicy,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Gate URL must look like https://gate.example.com, got {redact_url(base_url)!r}")
        if parts.username or parts.password:
            raise ValueError("put credentials in auth=BasicAuth(...), not in the Gate URL")
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname
        if parts.scheme == "http" and self.host not in _LOCAL_HOSTS and (auth is not None or headers):
            warnings.warn(
                f"credentials will be sent unencrypted to {self.host} over http://; use https:// for a remote Gate",
                UserWarning,
                stacklevel=4,
            )
        self.session = session
        self.auth = auth
        self.headers = dict(checked_header(name, value) for name, value in headers.items())
        # Extra headers usually carry credentials (a proxy's key): never repeat their values.
        self._secrets = tuple(
            secret for secret in (*(auth.secrets() if auth else ()), *self.headers.values()) if len(secret) >= 3
        )
        self.timeout = timeout
        self.verify = verify
        self.retry = retry
        self._login_lock = threading.Lock()
        self._logged_in = False

    # -- login -------------------------------------------------------------------------------------------

    def raw(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request with no retries and no checks (used by login steps)."""
        return self._send(method, path, data=data, extra_headers=headers, with_auth=False)

    def cookie_names(self) -> set[str]:
        """Names of the cookies in the session's jar."""
        return {cookie.name for cookie in self.session.cookies}

    def set_cookie(self, name: str, value: str) -> None:
        """Store a cookie for Gate's host."""
        self.session.cookies.set(name, value, domain=self.host, path="/")

    def _ensure_login(self, *, again: bool = False) -> None:
        auth = self.auth
        if auth is None or not (auth.needs_login or (again and auth.logs_in_on_redirect)):
            return
        with self._login_lock:
            if self._logged_in and not again:
                return
            failure: _Failure | None = None
            try:
                auth.login(self)
            except OSError as exc:
                failure = self._failure(exc, Retry.UNSENT_ONLY)
            if failure is not None:  # raised outside the except block: no chained requests exception
                raise self._transport_error(failure, "POST", "/login", "logging in")
            self._logged_in = True

    # -- one exchange ------------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: dict[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        with_auth: bool = True,
        request_id: str | None = None,
    ) -> requests.Response:
        request_id = request_id or str(uuid.uuid4())
        headers = {"Accept": "application/json", REQUEST_ID_HEADER: request_id, **self.headers}
        if extra_headers:
            headers.update(extra_headers)
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        response = self.session.request(
            method,
            self.base_url + path,
            params=params,
            data=body if body is not None else data,
            headers=headers,
            auth=self.auth if with_auth else None,
            cert=self.auth.client_cert if self.auth else None,
            timeout=(self.timeout.connect, self.timeout.read),
            verify=self.verify,
            allow_redirects=False,
        )
        logger.debug(
            "%s %s -> %s in %.0f ms (request id %s)",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            response.headers.get(REQUEST_ID_HEADER, request_id),
        )
        return response

    def _scrub(self, text: str) -> str:
        """``text`` without any credential this transport holds, and without control characters."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return printable(text)

    def _failure(self, exc: OSError, retry: Retry) -> _Failure:
        if not isinstance(exc, requests.RequestException):  # requests checks the client certificate's files
            return _Failure(kind="setup", detail=self._scrub(str(exc)), transient=False, never_sent=True)
        never_sent = _never_sent(exc)
        if isinstance(exc, requests.exceptions.SSLError):
            return _Failure(kind="tls", detail=self._scrub(str(exc)), transient=False, never_sent=never_sent)
        kind: Literal["timeout", "connection"] = "timeout" if isinstance(exc, requests.Timeout) else "connection"
        refused = kind == "connection" and _refused(exc)
        detail = type(exc).__name__ if kind == "timeout" else "connection refused" if refused else self._scrub(str(exc))
        transient = retry is Retry.IDEMPOTENT or never_sent
        return _Failure(kind=kind, detail=detail, transient=transient, never_sent=never_sent, refused=refused)

    def _transport_error(
        self, failure: _Failure, method: str, path: str, action: str, request_id: str = ""
    ) -> GateTransportError:
        info = RequestInfo(method=method, url=self.base_url + path, request_id=request_id)
        if failure.kind == "setup":
            return GateConnectionError(f"{action}: could not set up the connection: {failure.detail}", request=info)
        if failure.kind == "timeout":
            return GateTimeout(
                f"{action}: Gate did not answer in time ({failure.detail}; timeouts "
                f"connect={self.timeout.connect}s read={self.timeout.read}s)",
                request=info,
            )
        if failure.kind == "tls":
            if any(sign in failure.detail.lower() for sign in _PLAIN_HTTP_SIGNS):
                plain = "http://" + self.base_url.split("://", 1)[1]
                hint = f"Gate seems to speak plain HTTP there: try {plain}"
            else:
                hint = "check the CA bundle (verify=) and the client certificate"
            return GateConnectionError(f"{action}: TLS failed ({failure.detail}); hint: {hint}", request=info)
        if failure.refused:
            return GateConnectionError(f"cannot reach Gate at {self.base_url}: connection refused", request=info)
        return GateConnectionError(f"{action}: could not reach Gate at {self.base_url}: {failure.detail}", request=info)

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        retry: Retry = Retry.IDEMPOTENT,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        ok_statuses: frozenset[int] = frozenset(),
        budget: Budget | None = None,
    ) -> requests.Response:
        """Send a request, retrying transient failures as ``retry`` allows; return a 2xx answer.

        Every failed try spends one attempt of ``budget`` (a fresh one of the policy when None), and no wait
        runs past its deadline. Statuses in ``ok_statuses`` (such as 404 for a lookup) are returned instead
        of raised. Raises `GateAuthError` for redirects, 401, 403 and HTML answers, `GateHTTPError` (or a
        subclass) for other error statuses, `GateTimeout` and `GateConnectionError` for transport failures.
        """
        budget = budget if budget is not None else self.retry.budget()
        self._ensure_login()
        relogged = False
        tries = 0
        while True:
            tries += 1
            request_id = str(uuid.uuid4())
            failure: _Failure | None = None
            try:
                response = self._send(method, path, params=params, json_body=json_body, request_id=request_id)
            except OSError as exc:  # requests' errors, and its check of certificate files
                failure = self._failure(exc, retry)
            if failure is not None:  # handled outside the except block, so nothing chains requests' exception
                failures = budget.fail()
                quick_give_up = failure.refused and tries >= REFUSED_ATTEMPTS
                if not failure.transient or not budget.can_retry() or quick_give_up:
                    raise self._transport_error(failure, method, path, action, request_id)
                waited = min(
                    REFUSED_BACKOFF * tries if failure.refused else self.retry.delay(failures),
                    budget.seconds_left(),
                )
                self._log_retry(method, path, failure.kind, request_id, failures, budget, waited)
                time.sleep(waited)
                continue
            status = response.status_code
            is_auth_failure = 300 <= status < 400 or status in (401, 403) or (status < 300 and _is_html(response))
            if is_auth_failure:
                if not relogged and self._may_log_in_again(status) and budget.can_retry():
                    relogged = True  # the session expired, or Gate wants the /login exchange: once
                    self._ensure_login(again=True)
                    continue
                raise auth_failure(response, f"{action} failed", self.auth)
            if status < 300 or status in ok_statuses:
                return response
            failures = budget.fail()
            retryable = status in RETRYABLE_STATUSES and (retry is Retry.IDEMPOTENT or status == 429)
            if not retryable or not budget.can_retry():
                raise http_error(response, action)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            waited = min(self.retry.delay(failures, retry_after=retry_after), budget.seconds_left())
            self._log_retry(method, path, f"HTTP {status}", request_id, failures, budget, waited)
            time.sleep(waited)

    def _may_log_in_again(self, status: int) -> bool:
        auth = self.auth
        if auth is None or status == 403:
            return False
        return auth.needs_login or (auth.logs_in_on_redirect and 300 <= status < 400)

    @staticmethod
    def _log_retry(
        method: str, path: str, what: str, request_id: str, attempt: int, budget: Budget, waited: float
    ) -> None:
        logger.warning(
            "%s %s: %s (request id %s); attempt %d of %d failed, next in %.2f s",
            method,
            path,
            what,
            request_id,
            attempt,
            budget.attempts,
            waited,
        )
