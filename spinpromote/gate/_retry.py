"""How long and how often to retry: urllib3's backoff and Retry-After arithmetic, and one budget per request.

urllib3's `Retry` computes the waits (exponential backoff with jitter, ``Retry-After`` in seconds or as an
HTTP date); the client keeps its own loop only for what urllib3 cannot do: a fresh request id per attempt,
logging in again, and deciding after an ambiguous save whether it landed (see ``_apply``).
"""

from __future__ import annotations

import time

import attrs
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import RequestHistory, Retry

__all__ = ["RETRYABLE_STATUSES", "Budget", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that mean "not now": rate limiting, and a proxy or load balancer in front of Gate."""

# Connection refused: nothing listens there. A few quick attempts cover a Gate that is restarting; more
# only delay the one-line answer a person needs.
REFUSED_ATTEMPTS = 3
REFUSED_BACKOFF = 0.1


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


# One entry of urllib3's retry history per retry so far: urllib3 derives the backoff from its length.
_FAILED_TRY = RequestHistory(method=None, url=None, error=None, status=None, redirect_location=None)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently the client retries.

    ``attempts`` counts the tries of one operation, the first included: a read, or a save together with its
    confirmation. Every failed try spends one (no answer, a retryable status, an ambiguous save, a write not
    yet visible when read back), so a save that keeps failing is sent at most ``attempts`` times, with one
    read after each failure to see whether it landed, instead of ``attempts`` saves each retried ``attempts``
    times. ``deadline`` bounds the seconds one operation may take, waits included. Waits are urllib3's
    backoff (``backoff * 2**(n-1)`` before retry n from the second on, up to ``max_backoff``, plus up to
    ``backoff`` of random jitter); a ``Retry-After`` header is honoured up to ``max_retry_after`` seconds.

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
    deadline: float = attrs.field(default=300.0, validator=_positive)

    def _urllib3(self, retry: int) -> Retry:
        return Retry(
            total=self.attempts,
            backoff_factor=self.backoff,
            backoff_max=self.max_backoff,
            backoff_jitter=self.backoff,
            history=(_FAILED_TRY,) * retry,
        )

    def delay(self, retry: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        backoff = self._urllib3(retry).get_backoff_time() if self.backoff > 0 else 0.0
        if retry_after is not None:
            return min(max(retry_after, backoff), self.max_retry_after)
        return backoff

    def sleep(self, retry: int, *, retry_after: float | None = None, budget: Budget | None = None) -> float:
        """Wait as `delay` says, never past the ``budget``'s deadline; return the seconds waited."""
        seconds = self.delay(retry, retry_after=retry_after)
        if budget is not None:
            seconds = min(seconds, budget.seconds_left())
        if seconds > 0:
            time.sleep(seconds)
        return seconds

    def budget(self, deadline: float | None = None) -> Budget:
        """A fresh budget of `attempts` tries, ending at ``deadline`` (monotonic) or after `deadline` s.

        ```pycon
        >>> budget = RetryPolicy(attempts=2).budget()
        >>> budget.fail(), budget.can_retry(), budget.fail(), budget.can_retry()
        (1, True, 2, False)

        ```
        """
        own = time.monotonic() + self.deadline
        return Budget(attempts=self.attempts, deadline=own if deadline is None else min(own, deadline))


@attrs.define(kw_only=True)
class Budget:
    """What one operation may still spend: failed tries (``attempts``) and time (``deadline``, monotonic).

    Shared by every request of the operation; used by one thread at a time (the one running the operation).

    ```pycon
    >>> Budget(attempts=1, deadline=0.0).can_retry()
    False

    ```
    """

    attempts: int
    deadline: float
    failures: int = 0

    def fail(self) -> int:
        """Count one failed try; return how many failed so far."""
        self.failures += 1
        return self.failures

    def seconds_left(self) -> float:
        """Seconds until the deadline (0 when it has passed)."""
        return max(0.0, self.deadline - time.monotonic())

    def can_retry(self) -> bool:
        """True while tries and time are left."""
        return self.failures < self.attempts and self.seconds_left() > 0


def parse_retry_after(value: str | None) -> float | None:
    """Read a Retry-After header (seconds, or an HTTP date) with urllib3; None when absent or unreadable.

    urllib3 reads whole seconds only; fractions (which some proxies send) are read as numbers.

    ```pycon
    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after(None) is None
    True

    ```
    """
    if not value:
        return None
    try:
        return float(Retry(total=0).parse_retry_after(value.strip()))
    except (InvalidHeader, OverflowError, ValueError):
        pass
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no wait
