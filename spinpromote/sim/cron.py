"""echo's cron triggers: Quartz expressions, in echo's time zone, with ``H`` hashed per trigger.

Sources: echo ``echo-scheduler/.../scheduler/actions/pipeline/PipelineConfigsPollingJob.groovy:64-66``
(which triggers), ``.../cron/CronExpressionFuzzer.java:88-107`` (``H``), ``SchedulerConfiguration.groovy:52``
(time zone, default America/Los_Angeles). Simulated: seconds, minutes, hours, day of month, month and day
of week with ``*``, ``?``, lists, ranges, steps, names and ``H``; ``L``, ``W`` and ``#`` are not (they raise).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from spinpromote.sim.windows import ORCA_TIME_ZONE

__all__ = ["fire_times"]

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _java_hash(text: str) -> int:
    value = 0
    for char in text:
        value = (31 * value + ord(char)) & 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _field(spec: str, low: int, high: int, names: dict[str, int], hashed: int) -> set[int]:
    values: set[int] = set()
    for part in spec.upper().split(","):
        if part in ("*", "?"):
            values.update(range(low, high + 1))
            continue
        if part == "H":
            values.add(hashed)
            continue
        if any(marker in part for marker in ("L", "W", "#")) and part not in names:
            raise ValueError(f"cron field {spec!r}: L, W and # are not simulated")
        base, _, step = part.partition("/")
        if base in ("*", ""):
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start = names.get(first) or int(first)
            end = (names.get(last) or int(last)) if last else (high if step else start)
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def fire_times(expression: str, trigger_id: str, after_ms: int, until_ms: int) -> list[int]:
    """The times in (``after_ms``, ``until_ms``] at which the Quartz cron expression fires (epoch ms).

    ```pycon
    >>> from spinpromote.sim.clock import START
    >>> start = int(START.timestamp() * 1000)          # Monday 09:00 in Los Angeles
    >>> [(t - start) // 60_000 for t in fire_times("0 0 10 ? * MON-FRI", "id", start, start + 86_400_000)]
    [60]

    ```
    """
    fields = expression.split()
    if len(fields) not in (6, 7):
        raise ValueError(f"cron expression {expression!r} needs 6 or 7 fields (Quartz)")
    hashed = abs(_java_hash(trigger_id))
    seconds = _field(fields[0], 0, 59, {}, hashed % 60)
    minutes = _field(fields[1], 0, 59, {}, hashed % 60)
    hours = _field(fields[2], 0, 23, {}, hashed % 24)
    days = fields[3]
    months = _field(fields[4], 1, 12, _MONTHS, 1)
    weekdays = fields[5]
    month_days = _field(days, 1, 31, {}, 1)
    week_days = _field(weekdays, 1, 7, _DAYS, 1)
    result: list[int] = []
    local = datetime.fromtimestamp(after_ms / 1000, tz=timezone.utc).astimezone(ORCA_TIME_ZONE)
    day = local.date()
    end = datetime.fromtimestamp(until_ms / 1000, tz=timezone.utc).astimezone(ORCA_TIME_ZONE).date()
    while day <= end:
        weekday = day.isoweekday() % 7 + 1
        day_ok = (days == "?" or day.day in month_days) and (weekdays == "?" or weekday in week_days)
        if day.month in months and day_ok:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    for second in sorted(seconds):
                        moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ORCA_TIME_ZONE)
                        ms = int(moment.timestamp() * 1000)
                        if after_ms < ms <= until_ms:
                            result.append(ms)
        day += timedelta(days=1)
    return result
