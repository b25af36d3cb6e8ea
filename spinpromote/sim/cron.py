"""echo's cron triggers: Quartz expressions, in echo's time zone, with ``H`` hashed per trigger.

Sources: echo ``echo-scheduler/.../scheduler/actions/pipeline/PipelineConfigsPollingJob.groovy:64-66``
(which triggers), ``.../cron/CronExpressionFuzzer.java:88-107`` (``H``), ``SchedulerConfiguration.groovy:52``
(time zone, default America/Los_Angeles). Simulated: seconds, minutes, hours, day of month, month and day
of week with ``*``, ``?``, lists, ranges, steps, names and ``H``; ``L``, ``W`` and ``#`` are not (they raise).

``H`` in the seconds, minutes or hours field is replaced, as text, by ``abs(id.hashCode() % 59)`` (``% 23``
for hours: the fuzzer's moduli, not 60 and 24), so ``H/15`` becomes ``<n>/15``. The id hashed here is the
*stored* trigger id; echo hashes the id it rewrote first (a name-based UUID of the trigger's ``toString``,
``PipelineCache.java:449``), which is not modelled: fire times of ``H`` differ from a real echo's.
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


def _fuzz(spec: str, trigger_id: str, modulus: int) -> str:
    # CronExpressionFuzzer.java:88-107: Math.abs(id.hashCode() % modulus), Java's % keeping the dividend's sign
    hashed = _java_hash(trigger_id)
    return spec.replace("H", str(abs(hashed) % modulus))


def _number(text: str, names: dict[str, int], spec: str, low: int, high: int) -> int:
    value = names.get(text)
    if value is None:
        if not text.isdigit():
            raise ValueError(f"cron field {spec!r}: {text!r} is not a number")
        value = int(text)
    if not low <= value <= high:
        raise ValueError(f"cron field {spec!r}: {value} is outside {low}-{high}")
    return value


def _field(spec: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in spec.upper().split(","):
        if part in ("*", "?"):
            values.update(range(low, high + 1))
            continue
        if any(marker in part for marker in ("L", "W", "#")) and part not in names:
            raise ValueError(f"cron field {spec!r}: L, W and # are not simulated")
        base, _, step = part.partition("/")
        if base in ("*", ""):
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start = _number(first, names, spec, low, high)
            end = _number(last, names, spec, low, high) if last else (high if step else start)
        if step and (not step.isdigit() or int(step) < 1):
            raise ValueError(f"cron field {spec!r}: step {step!r} is not a positive number")
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
    seconds = _field(_fuzz(fields[0], trigger_id, 59), 0, 59, {})
    minutes = _field(_fuzz(fields[1], trigger_id, 59), 0, 59, {})
    hours = _field(_fuzz(fields[2], trigger_id, 23), 0, 23, {})
    days = fields[3]
    months = _field(fields[4], 1, 12, _MONTHS)
    weekdays = fields[5]
    month_days = _field(days, 1, 31, {})
    week_days = _field(weekdays, 1, 7, _DAYS)
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
