"""Our own optimistic concurrency: before each write, is the live pipeline still the one the plan read?

front50's ``staleCheck`` cannot be relied on: since front50 #1142 (2022) no JSON key reaches the field it
compares, so the check is skipped (front50 PipelineController.java:534-538, PipelineMixins.java:85); the
repair (spinnaker/spinnaker #8022) only runs where ``controller.pipeline.save.stale-check-enabled`` is on,
which is off by default. So apply re-reads each pipeline (by application and name, one request) just before
writing it and compares it with what the plan read. What remains is the window between that read and the
write: one request round trip, plus the time Gate takes to save (docs/gate.md, "What is checked").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal

from spinpromote.errors import GateStaleError
from spinpromote.planning import PipelineChange, canonical, comparable, fingerprint

__all__ = ["Verdict", "check_not_moved", "same_content", "stale_error"]

Verdict = Literal["write", "done"]


def same_content(live: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """True when the live pipeline is ``body`` (same id, same user-owned content): the write is done."""
    return live.get("id") == body.get("id") and canonical(comparable(live)) == canonical(comparable(body))


def _when(update_ts: Any) -> str | None:
    """front50's ``updateTs`` (epoch milliseconds as a string) as a readable UTC time."""
    try:
        moment = datetime.fromtimestamp(int(str(update_ts)) / 1000, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None if update_ts is None else str(update_ts)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def stale_error(change_name: str, application: str, live: Mapping[str, Any] | None, what: str) -> GateStaleError:
    """The refusal for a pipeline that moved: names who changed it and when, and says to plan again."""
    who = str(live.get("lastModifiedBy")) if live and live.get("lastModifiedBy") is not None else None
    when = _when(live.get("updateTs")) if live else None
    by = ", ".join(part for part in (f"by {who}" if who else "", f"at {when}" if when else "") if part)
    return GateStaleError(
        f"pipeline {change_name!r} in {application!r} {what}" + (f" ({by})" if by else "") + "; left as it "
        "is: plan again to see the change",
        changed_by=who,
        changed_at=None if live is None or live.get("updateTs") is None else str(live.get("updateTs")),
    )


def _moved(change: PipelineChange, live: Mapping[str, Any]) -> bool:
    planned = change.live or {}
    if live.get("id") != planned.get("id"):
        return True
    if change.read_update_ts is not None and live.get("updateTs") is not None:
        if str(live.get("updateTs")) != change.read_update_ts:
            return True
    return change.read_fingerprint is not None and fingerprint(live) != change.read_fingerprint


def check_not_moved(change: PipelineChange, live: Mapping[str, Any] | None) -> Verdict:
    """Compare the pipeline just re-read (``live``) with what the plan read; raise `GateStaleError` if it moved.

    Returns ``"done"`` when the live pipeline already is what this change writes (an earlier apply of the same
    plan got there), ``"write"`` when the change may go ahead.
    """
    if change.body is not None and live is not None and same_content(live, change.body):
        return "done"
    if change.action == "create":
        if live is not None:
            raise stale_error(change.name, change.application, live, "was created in Spinnaker after the plan")
        return "write"
    if live is None:
        if change.action == "delete":
            return "done"
        raise stale_error(change.name, change.application, None, "was deleted in Spinnaker after the plan read it")
    if _moved(change, live):
        raise stale_error(change.name, change.application, live, "was changed in Spinnaker after the plan read it")
    return "write"
