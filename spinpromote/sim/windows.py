"""Restricted execution windows: when a stage with ``restrictExecutionDuringTimeWindow`` may run.

orca ``orca-core/.../pipeline/RestrictExecutionDuringTimeWindow.java``: time zone
``tasks.execution-window.timezone``, default America/Los_Angeles (:141-142); days 1 = Sunday (:307-322); an
empty ``whitelist`` is the whole day (:295-297); the stage stays RUNNING until the window opens (:123-167).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["ORCA_TIME_ZONE", "WindowNeverOpens", "next_opening"]

ORCA_TIME_ZONE = ZoneInfo("America/Los_Angeles")


class WindowNeverOpens(ValueError):
    """The window's days and hours leave no moment inside it (a day outside 1-7, say)."""


def _spinnaker_day(day: datetime) -> int:
    return day.isoweekday() % 7 + 1  # Sunday 1 ... Saturday 7


def next_opening(now_ms: int, window: Mapping[str, Any] | None, zone: ZoneInfo = ORCA_TIME_ZONE) -> int:
    """The first moment at or after ``now_ms`` inside the window (epoch ms).

    ```pycon
    >>> from spinpromote.sim.clock import START       # Monday 09:00 in Los Angeles
    >>> window = {"whitelist": [{"startHour": 13, "startMin": 0, "endHour": 15, "endMin": 0}], "days": [2]}
    >>> (next_opening(int(START.timestamp() * 1000), window) - int(START.timestamp() * 1000)) // 3_600_000
    4

    ```
    """
    window = window or {}
    now = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc).astimezone(zone)
    days = [int(day) for day in window.get("days") or []]
    ranges = window.get("whitelist") or [{"startHour": 0, "startMin": 0, "endHour": 0, "endMin": 0}]
    best: datetime | None = None
    for offset in range(-1, 9):
        day = (now + timedelta(days=offset)).date()
        for spec in ranges:
            start = datetime.combine(day, time(int(spec.get("startHour", 0)), int(spec.get("startMin", 0))), zone)
            end = datetime.combine(day, time(int(spec.get("endHour", 0)), int(spec.get("endMin", 0))), zone)
            if end <= start:
                end += timedelta(days=1)  # a window past midnight, or the whole day
            if days and _spinnaker_day(start) not in days:
                continue
            if end <= now:
                continue
            candidate = max(start, now)
            if best is None or candidate < best:
                best = candidate
    if best is None:
        raise WindowNeverOpens("the execution window never opens (check its days and hours)")
    return int(best.timestamp() * 1000)
