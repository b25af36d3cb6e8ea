"""How long to wait between attempts: bounded exponential backoff with jitter, and Retry-After."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that mean "not now": rate limiting, and a proxy or load balancer in front of Gate."""


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently the client retries.

    ``attempts`` counts the first try. The n-th retry waits a random time between 0 and
    ``min(max_backoff, backoff * 2**n)`` ("full jitter", so that many clients do not retry in step);
    a ``Retry-After`` header is honoured up to ``max_retry_after`` seconds. The same policy bounds
    how long the client waits for a write to become visible (read-after-write lag).

    ```pycon
    >>> RetryPolicy(attempts=3, backoff=0.0).delay(1)
    0.0
    >>> RetryPolicy(backoff=0.1, max_backoff=1.0).delay(3, retry_after=2.5)
    2.5

    ```
    """

    attempts: int = attrs.field(default=6, validator=attrs.validators.ge(1))
    backoff: float = attrs.field(default=0.5, validator=_positive)
    max_backoff: float = attrs.field(default=15.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=_positive)

    def delay(self, retry: int, *, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        jittered = (rng or random).uniform(0.0, ceiling) if ceiling > 0 else 0.0
        if retry_after is not None:
            return min(max(retry_after, jittered), self.max_retry_after)
        return jittered

    def sleep(self, retry: int, *, retry_after: float | None = None) -> float:
        """Wait as `delay` says; return the seconds waited."""
        seconds = self.delay(retry, retry_after=retry_after)
        if seconds > 0:
            time.sleep(seconds)
        return seconds


def parse_retry_after(value: str | None) -> float | None:
    """Read a Retry-After header: seconds, or an HTTP date; None when absent or unreadable.

    ```pycon
    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after(None) is None
    True

    ```
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
