"""The simulated clock and deterministic ids: time jumps from one scheduled action to the next; nothing sleeps.

Like SimPy's environment, actions wait in a heap of ``(due, sequence, action)``: actions due at the same
millisecond run in the order they were scheduled, so every run of the same scenario gives the same events.
"""

from __future__ import annotations

import hashlib
import heapq
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

__all__ = ["START", "Clock", "Ids"]

# Monday 5 January 2026, 09:00 in America/Los_Angeles (orca's and echo's default time zone).
START = datetime(2026, 1, 5, 17, 0, tzinfo=timezone.utc)

Action = Callable[[], None]


class Clock:
    """Simulated time in epoch milliseconds, and the actions scheduled on it.

    ```pycon
    >>> clock = Clock(START)
    >>> clock.at(clock.now + 1000, lambda: print("a second later"))
    >>> clock.run_until(clock.now + 5000)
    a second later
    >>> clock.now - int(START.timestamp() * 1000)
    5000

    ```
    """

    def __init__(self, start: datetime = START) -> None:
        if start.tzinfo is None:
            raise ValueError("give the simulation's start as an aware datetime (naive times are ambiguous)")
        self.now = int(start.timestamp() * 1000)
        self._queue: list[tuple[int, int, Action]] = []
        self._sequence = 0

    @property
    def datetime(self) -> datetime:
        """Now, as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now / 1000, tz=timezone.utc)

    def at(self, due: int, action: Action) -> None:
        """Run ``action`` at ``due`` (epoch ms; a time in the past means now)."""
        self._sequence += 1
        heapq.heappush(self._queue, (max(due, self.now), self._sequence, action))

    def soon(self, action: Action) -> None:
        """Run ``action`` at the current time, after what is already due."""
        self.at(self.now, action)

    def next_due(self) -> int | None:
        """When the next action is due, or None."""
        return self._queue[0][0] if self._queue else None

    def step(self, until: int | None = None) -> bool:
        """Run the next action due at or before ``until`` (default: now); False when there is none."""
        limit = self.now if until is None else until
        if not self._queue or self._queue[0][0] > limit:
            return False
        due, _, action = heapq.heappop(self._queue)
        self.now = max(self.now, due)
        action()
        return True

    def run_until(self, until: int) -> None:
        """Run every action due at or before ``until`` (inclusive), cascades included, then set now to it."""
        while self.step(until):
            pass
        self.now = max(self.now, until)

    def advance(self, delta: timedelta) -> None:
        """`run_until` now plus ``delta``."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward: give a positive timedelta")
        self.run_until(self.now + int(delta.total_seconds() * 1000))


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NAMESPACE = uuid.UUID("9a4c1f8e-0b7d-5e2a-8c3f-6d1e2b4a7c90")


class Ids:
    """Deterministic ids: the same scenario gives the same ids, commits and digests in every run.

    ```pycon
    >>> ids = Ids()
    >>> ids.ulid(0), ids.ulid(0)
    ('00000000000000000000000001', '00000000000000000000000002')

    ```
    """

    def __init__(self) -> None:
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def ulid(self, now_ms: int) -> str:
        """A ULID-shaped id (orca's execution and stage ids): sorts by time, then by creation order."""
        value = (now_ms << 80) | self._next()
        chars = []
        for _ in range(26):
            chars.append(_CROCKFORD[value & 31])
            value >>= 5
        return "".join(reversed(chars))

    def uuid(self, *parts: str) -> str:
        """A UUID (front50's and echo's random ids), derived from ``parts`` and a counter."""
        return str(uuid.uuid5(_NAMESPACE, "\x00".join((*parts, str(self._next())))))

    def sha1(self, *parts: str) -> str:
        """A 40-hex commit id derived from ``parts`` and a counter."""
        return hashlib.sha1("\x00".join((*parts, str(self._next()))).encode()).hexdigest()

    def sha256(self, *parts: str) -> str:
        """A ``sha256:`` image digest derived from ``parts`` and a counter."""
        return "sha256:" + hashlib.sha256("\x00".join((*parts, str(self._next()))).encode()).hexdigest()
