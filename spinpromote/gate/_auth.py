"""Ways to authenticate to Gate. Secrets stay out of ``repr`` and every message.

Which one to use depends on how Gate is set up (see docs/gate.md):

- `BasicAuth`: Gate's basic-form or LDAP module; a Basic header on every request.
- `BearerToken`: an OAuth2 access token, an IAP id token, or a 2026.2 API token. Sent on every request
  (Gate 2026.0+ authenticates each request with it); when Gate answers with a redirect to its login, as
  Gate up to 2025.1 does, the token is exchanged for a session at ``/login`` once and the request repeated.
- `X509ClientCert`: a client certificate; works with every Gate version where x509 is on.
- `SessionCookie`: a session cookie copied from a browser.
- `LdapLogin`: a form login at ``/login``, then the session cookie (what ``spin`` does for LDAP).
"""

from __future__ import annotations

import base64
import re
from typing import Any, Protocol

import attrs
import requests
from requests.auth import AuthBase

__all__ = [
    "BasicAuth",
    "BearerToken",
    "GateAuth",
    "LdapLogin",
    "LoginChannel",
    "SessionCookie",
    "X509ClientCert",
    "checked_header",
]

# RFC 9110 field names are tokens; a value is visible characters with inner spaces. A credential read from a
# file often ends in a newline: surrounding whitespace is stripped, anything else is refused, and no message
# ever repeats the value.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x21-\x7e\xa0-\xff]+(?:[ \t]+[\x21-\x7e\xa0-\xff]+)*")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _refuse(what: str, problem: str) -> ValueError:
    return ValueError(f"the {what} {problem}; check where it was read from (its value is not shown)")


def checked_header(name: str, value: str) -> tuple[str, str]:
    """A header as it may be sent: whitespace around the value stripped; ValueError (never showing the value)
    for a name or value HTTP does not allow.

    ```pycon
    >>> checked_header("X-Api-Key", "k3y-read-from-a-file\\n")
    ('X-Api-Key', 'k3y-read-from-a-file')

    ```
    """
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid header name (letters, digits and !#$%&'*+.^_`|~- only)")
    if not isinstance(value, str):
        raise TypeError(f"the value of header {name!r} must be a string, not {type(value).__name__}")
    value = value.strip()
    if not _HEADER_VALUE.fullmatch(value):
        raise _refuse(f"value of header {name!r}", "is empty or holds a line break or control character")
    return name, value


def _checked_token(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the {what} must be a string, not {type(value).__name__}")
    value = value.strip()
    if not _VISIBLE_ASCII.fullmatch(value):
        raise _refuse(what, "is empty or holds a space, a line break or a non-ASCII character")
    return value


def _bearer_token(value: str) -> str:
    """An attrs converter: the token stripped, then visible ASCII only."""
    return _checked_token(value, "bearer token")


def _cookie_value(value: str) -> str:
    """An attrs converter: the cookie's value stripped, then visible ASCII only."""
    return _checked_token(value, "session cookie")


def _password(value: str) -> str:
    """An attrs converter for a password: a trailing line break (from a file) dropped, control characters refused."""
    if not isinstance(value, str):
        raise TypeError(f"the password must be a string, not {type(value).__name__}")
    value = value.rstrip("\r\n")
    if _CONTROL.search(value):
        raise _refuse("password", "holds a line break or control character")
    return value


def _username(instance: object, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not value or _CONTROL.search(value) or ":" in value:
        raise ValueError("the username must be a non-empty string without ':' or control characters")


class LoginChannel(Protocol):
    """What a login step may do: send one raw request to Gate, with no retries and no auth checks."""

    def raw(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request to ``path`` on Gate and return the response as it came."""
        ...

    def cookie_names(self) -> set[str]:
        """Names of the cookies the session holds now."""
        ...

    def set_cookie(self, name: str, value: str) -> None:
        """Store a cookie for Gate's host in the session."""
        ...


class GateAuth(AuthBase):
    """Base class of the auth methods. Subclasses add headers, a client certificate, or a login step.

    A method of your own adds its header in ``__call__`` and names its secret values in `secrets`, so
    that no error message repeats them:

    ```pycon
    >>> from spinpromote.testing import FakeGate
    >>> class ApiToken(GateAuth):
    ...     def __call__(self, request):
    ...         request.headers["X-Spinnaker-Token"] = "t0ken"
    ...         return request
    ...     def secrets(self):
    ...         return ("t0ken",)
    >>> with FakeGate(tokens={"t0ken"}) as fake, GateClient(fake.url, auth=ApiToken()) as gate:
    ...     gate.list_pipeline_configs("demo")
    []

    ```
    """

    __slots__ = ()

    #: What to call this method in error messages.
    label = "credentials"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add what this method needs to each request (nothing by default)."""
        return request

    @property
    def client_cert(self) -> tuple[str, str] | str | None:
        """The client certificate to present in TLS, if any."""
        return None

    @property
    def needs_login(self) -> bool:
        """Whether `login` must run before the first request (and again when the session expires)."""
        return False

    @property
    def logs_in_on_redirect(self) -> bool:
        """Whether a redirect to Gate's login should run `login` and repeat the request (once)."""
        return False

    def login(self, channel: LoginChannel) -> None:
        """Establish a session with Gate; raise `GateAuthError` when Gate refuses."""

    def secrets(self) -> tuple[str, ...]:
        """The values no message may repeat (the client removes them from every error it raises)."""
        return ()


@attrs.frozen
class BasicAuth(GateAuth):
    """HTTP Basic credentials, sent on every request (Gate's basic-form and LDAP modules accept them).

    ```pycon
    >>> BasicAuth("alice", "secret")
    BasicAuth(username='alice')

    ```
    """

    username: str = attrs.field(validator=_username)
    password: str = attrs.field(repr=False, converter=_password)
    label = "HTTP Basic credentials"

    def _encoded(self) -> str:
        return base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the ``Authorization: Basic`` header."""
        request.headers["Authorization"] = f"Basic {self._encoded()}"
        return request

    def secrets(self) -> tuple[str, ...]:
        """The password, and the header value that encodes it."""
        return (self.password, self._encoded())


@attrs.frozen
class BearerToken(GateAuth):
    """A bearer token (OAuth2 access token, IAP id token, 2026.2 API token), sent as Gate accepts it.

    What Gate does with ``Authorization: Bearer`` depends on its release (gate's oauth2 module):

    - 2026.0 and later: every request is authenticated by calling the identity provider's user-info URI
      with the token (``ExternalAuthTokenFilter.java:115-148``); nothing is kept in a session, so the token
      goes on **every** request (spinnaker/spinnaker #7917).
    - up to 2025.1: API calls with a bearer are redirected to ``/login`` (gate's ``OAuth2Test.java:46-54``);
      only ``GET /login`` with the token opens a session (``SESSION`` cookie), as ``spin`` does.
    - 2025.2 to 2025.4: bearer tokens are not accepted at all; use x509, basic/LDAP or a browser cookie.

    So the token is sent on every request, and when Gate answers with a redirect (redirects are never
    followed: a POST would lose its body), the client does the ``/login`` exchange once, keeps the cookie,
    and repeats the request. ``login_first`` does the exchange before the first request. ``header`` picks
    where the token goes: ``Authorization`` (as ``Bearer <token>``) or, for 2026.2 API tokens behind IAP,
    ``X-Spinnaker-Token``.

    ```pycon
    >>> BearerToken("t0ken")
    BearerToken(header='Authorization', login_first=False)

    ```
    """

    token: str = attrs.field(repr=False, converter=_bearer_token)
    header: str = attrs.field(default="Authorization", validator=lambda _, __, name: checked_header(name, "-"))
    login_first: bool = False
    label = "bearer token"

    def secrets(self) -> tuple[str, ...]:
        """The token."""
        return (self.token,)

    def _value(self) -> str:
        return f"Bearer {self.token}" if self.header.lower() == "authorization" else self.token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the token header."""
        request.headers[self.header] = self._value()
        return request

    @property
    def needs_login(self) -> bool:
        """True when the token is exchanged for a session before the first request."""
        return self.login_first

    @property
    def logs_in_on_redirect(self) -> bool:
        """Always: a redirect to the login page means this Gate wants the ``/login`` exchange."""
        return True

    def login(self, channel: LoginChannel) -> None:
        """Exchange the token for a session at ``GET /login``.

        Gate answers with a redirect to where it came from or to ``/`` on success; a redirect back to a login
        page or to the identity provider (``/oauth2/authorization/...``) means it did not take the token.
        """
        from spinpromote.gate._transport import auth_failure

        response = channel.raw("GET", "/login", headers={self.header: self._value()})
        location = response.headers.get("Location", "").split("?", 1)[0].rstrip("/")
        refused = (
            response.status_code in (401, 403)
            or location.endswith("/login")
            or "/oauth2/authorization" in location
            or "/oauth/authorize" in location
        )
        if refused:
            raise auth_failure(response, f"Gate did not accept the {self.label} at /login", self)


@attrs.frozen
class X509ClientCert(GateAuth):
    """A client certificate and its key, as PEM files (``key`` may be None when ``cert`` holds both).

    Gate's x509 module may listen on its own port (often 8085); point the client there.

    ```pycon
    >>> X509ClientCert("client.crt", "client.key").client_cert
    ('client.crt', 'client.key')

    ```
    """

    cert: str
    key: str | None = None
    label = "client certificate"

    @property
    def client_cert(self) -> tuple[str, str] | str | None:
        """The ``cert=`` argument requests expects."""
        return (self.cert, self.key) if self.key else self.cert


@attrs.frozen
class SessionCookie(GateAuth):
    """A Gate session cookie copied from a logged-in browser (Spring's default name is ``SESSION``).

    ```pycon
    >>> SessionCookie("abc123")
    SessionCookie(name='SESSION')

    ```
    """

    value: str = attrs.field(repr=False, converter=_cookie_value)
    name: str = attrs.field(default="SESSION", validator=lambda _, __, name: checked_header(name, "-"))
    label = "session cookie"

    def secrets(self) -> tuple[str, ...]:
        """The cookie's value."""
        return (self.value,)

    @property
    def needs_login(self) -> bool:
        """The cookie is put into the session's jar before the first request."""
        return True

    def login(self, channel: LoginChannel) -> None:
        """Store the cookie for Gate's host."""
        channel.set_cookie(self.name, self.value)


@attrs.frozen
class LdapLogin(GateAuth):
    """A form login at ``POST /login`` (Gate's LDAP and basic-form modules), then the session cookie.

    Unlike ``spin``, the answer is checked: a redirect back to the login page, a 401, or no session
    cookie raises `GateAuthError`. The client logs in again once if the session expires.

    ```pycon
    >>> LdapLogin("alice", "secret")
    LdapLogin(username='alice')

    ```
    """

    username: str = attrs.field(validator=_username)
    password: str = attrs.field(repr=False, converter=_password)
    label = "LDAP login"

    def secrets(self) -> tuple[str, ...]:
        """The password."""
        return (self.password,)

    @property
    def needs_login(self) -> bool:
        """Always: the session comes from the form login."""
        return True

    def login(self, channel: LoginChannel) -> None:
        """Post the login form and check that Gate opened a session."""
        from spinpromote.gate._transport import auth_failure

        before = channel.cookie_names()
        response = channel.raw("POST", "/login", data={"username": self.username, "password": self.password})
        location = response.headers.get("Location", "")
        refused = (
            response.status_code in (401, 403)
            or response.status_code >= 500
            or "error" in location
            or location.rstrip("/").endswith("/login")
        )
        if refused:
            raise auth_failure(response, "Gate refused the LDAP login", self)
        if not channel.cookie_names() - before and not before:
            raise auth_failure(response, "Gate answered the LDAP login without a session cookie", self)
