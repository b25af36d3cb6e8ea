"""What an error keeps of an HTTP exchange: enough to debug it, never a credential.

Errors, logs and plans see only `RequestInfo` and `ResponseInfo`, never requests' own objects, because
those carry the ``Authorization`` header, cookies and the client certificate's key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import attrs

__all__ = ["REDACTED", "RequestInfo", "ResponseInfo", "redact_headers", "redact_url"]

REDACTED = "<redacted>"

# Headers whose values say nothing about who the caller is; every other header value is hidden,
# including the extra headers a user adds for a proxy or IAP, which usually are credentials.
_SAFE_HEADERS = frozenset(
    {
        "accept",
        "content-length",
        "content-type",
        "date",
        "retry-after",
        "server",
        "user-agent",
        "x-ratelimit-capacity",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-spinnaker-request-id",
    }
)

_BODY_EXCERPT = 2000


def redact_url(url: str) -> str:
    """Drop user info and the query string's values from a URL.

    ```pycon
    >>> redact_url("https://bob:pw@gate.example.com/login?state=abc&x=1")
    'https://gate.example.com/login?state=<redacted>&x=<redacted>'

    ```
    """
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    query = "&".join(
        f"{pair.split('=', 1)[0]}={REDACTED}" if "=" in pair else pair for pair in parts.query.split("&") if pair
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Keep harmless header values, hide all others.

    ```pycon
    >>> redact_headers({"Authorization": "Basic abc", "Content-Type": "application/json"})
    {'Authorization': '<redacted>', 'Content-Type': 'application/json'}

    ```
    """
    return {name: value if name.lower() in _SAFE_HEADERS else REDACTED for name, value in headers.items()}


def _excerpt(text: object) -> str:
    return str(text)[:_BODY_EXCERPT]


@attrs.frozen(kw_only=True)
class RequestInfo:
    """A request as errors and logs may show it: no credentials, no body.

    ```pycon
    >>> RequestInfo(method="GET", url="http://127.0.0.1:8084/health", request_id="r-1")
    RequestInfo(method='GET', url='http://127.0.0.1:8084/health', request_id='r-1', headers={})

    ```
    """

    method: str
    url: str = attrs.field(converter=redact_url)
    request_id: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=redact_headers)


@attrs.frozen(kw_only=True)
class ResponseInfo:
    """A response as errors may show it: status, harmless headers and the start of the body.

    ```pycon
    >>> ResponseInfo(status=404, reason="Not Found", text='{"message": "nope"}').status
    404

    ```
    """

    status: int
    reason: str = ""
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=redact_headers)
    text: str = attrs.field(default="", converter=_excerpt)
