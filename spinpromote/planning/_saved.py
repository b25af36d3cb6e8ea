"""Saved plans: a `Plan` as JSON text and back, so that ``spinpromote apply plan.json`` applies exactly it.

The file keeps what the plan decided (each change's body), what it read (the live documents, their
``updateTs`` and fingerprints) and its warnings, so applying it later refuses when the live state moved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from spinpromote.errors import PipelineFormatError
from spinpromote.planning._applications import ApplicationChange
from spinpromote.planning._plan import PipelineChange, Plan

__all__ = ["PLAN_FORMAT", "is_saved_plan", "plan_from_json", "plan_to_json"]

PLAN_FORMAT = "spinpromote-plan/1"
"""The value of a saved plan's ``format`` key; `plan_from_json` refuses anything else."""

_PIPELINE_ACTIONS = ("create", "update", "unchanged", "delete")
_APPLICATION_ACTIONS = ("create", "update", "unchanged")


def _pipeline_change(change: PipelineChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "application": change.application,
        "name": change.name,
        "id": change.id,
        "body": change.body,
        "live": change.live,
        "readFingerprint": change.read_fingerprint,
        "diff": list(change.diff),
        "references": sorted(change.references),
    }


def _application_change(change: ApplicationChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "name": change.name,
        "body": change.body,
        "live": change.live,
        "diff": list(change.diff),
    }


def plan_to_json(plan: Plan) -> str:
    """The plan as indented JSON text (see `Plan.to_json`)."""
    document = {
        "format": PLAN_FORMAT,
        "owner": plan.owner,
        "prune": plan.prune,
        "lock": plan.lock,
        "missingApplications": list(plan.missing_applications),
        "warnings": list(plan.warnings),
        "applications": [_application_change(change) for change in plan.applications],
        "changes": [_pipeline_change(change) for change in plan.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class _Reader:
    """Reads one JSON object field by field; every error names the JSON path."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, Mapping):
            raise PipelineFormatError(path, "expected an object in a saved plan")
        self.value = value
        self.path = path

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., choices: tuple[str, ...] = ()) -> Any:
        path = f"{self.path}.{key}"
        if key not in self.value:
            if default is ...:
                raise PipelineFormatError(path, "missing from the saved plan; write it again with spinpromote plan -o")
            return default
        value = self.value[key]
        if not isinstance(value, kind):
            raise PipelineFormatError(path, f"unexpected value {json.dumps(value)[:60]} in the saved plan")
        if choices and value not in choices:
            raise PipelineFormatError(path, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise PipelineFormatError(f"{self.path}.{key}[{index}]", "expected a string in the saved plan")
        return tuple(values)

    def items(self, key: str) -> list[_Reader]:
        return [_Reader(item, f"{self.path}.{key}[{index}]") for index, item in enumerate(self.get(key, list, []))]


def _read_pipeline_change(reader: _Reader) -> PipelineChange:
    return PipelineChange(
        action=reader.get("action", str, choices=_PIPELINE_ACTIONS),
        application=reader.get("application", str),
        name=reader.get("name", str),
        id=reader.get("id", str),
        body=reader.get("body", (dict, type(None)), None),
        live=reader.get("live", (dict, type(None)), None),
        diff=reader.strings("diff"),
        references=frozenset(reader.strings("references")),
        read_fingerprint=reader.get("readFingerprint", (str, type(None)), None),
    )


def _read_application_change(reader: _Reader) -> ApplicationChange:
    return ApplicationChange(
        action=reader.get("action", str, choices=_APPLICATION_ACTIONS),
        name=reader.get("name", str),
        body=reader.get("body", dict),
        live=reader.get("live", (dict, type(None)), None),
        diff=reader.strings("diff"),
    )


def plan_from_json(text: str | bytes) -> Plan:
    """Read a plan written by `plan_to_json` (see `Plan.from_json`)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PipelineFormatError("$", f"a saved plan must be JSON ({type(error).__name__})") from None
    if not is_saved_plan(value):
        raise PipelineFormatError("$.format", f"not a saved spinpromote plan (expected format {PLAN_FORMAT!r})")
    reader = _Reader(value, "$")
    return Plan(
        changes=tuple(_read_pipeline_change(item) for item in reader.items("changes")),
        owner=reader.get("owner", str),
        prune=reader.get("prune", bool, False),
        lock=reader.get("lock", bool, False),
        missing_applications=reader.strings("missingApplications"),
        warnings=reader.strings("warnings"),
        applications=tuple(_read_application_change(item) for item in reader.items("applications")),
    )


def is_saved_plan(value: Any) -> bool:
    """True for a JSON value that is a saved plan (used by the command line to tell a plan from pipelines).

    ```pycon
    >>> is_saved_plan({"format": PLAN_FORMAT, "changes": []}), is_saved_plan([{"name": "Deploy"}])
    (True, False)

    ```
    """
    return isinstance(value, Mapping) and value.get("format") == PLAN_FORMAT
