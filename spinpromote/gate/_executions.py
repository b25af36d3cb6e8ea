"""Pipeline executions as orca reports them: status, stages, and a pending Manual Judgment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from spinpromote._terminal import printable
from spinpromote.gate._transport import json_kind

__all__ = ["COMPLETED_STATUSES", "Execution", "ExecutionStage"]

# orca-api ExecutionStatus: the statuses after which an execution no longer changes.
COMPLETED_STATUSES = frozenset({"SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED", "SKIPPED", "FAILED_CONTINUE"})


@attrs.frozen(kw_only=True)
class ExecutionStage:
    """One stage of an execution.

    ```pycon
    >>> ExecutionStage.from_dict({"id": "s1", "refId": "1", "type": "wait", "status": "RUNNING"})
    ExecutionStage(id='s1', ref_id='1', type='wait', name=None, status='RUNNING')

    ```
    """

    id: str
    ref_id: str | None
    type: str
    name: str | None
    status: str
    context: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "$") -> ExecutionStage:
        """Read a stage of orca's execution JSON; ValueError naming the JSON path when it has the wrong shape."""
        _expect(data, Mapping, "an object", path)
        context = data.get("context")
        _expect(context, (Mapping, type(None)), "an object", f"{path}.context")
        return cls(
            id=_text(data, "id", path, ""),
            ref_id=None if data.get("refId") is None else _text(data, "refId", path, ""),
            type=_text(data, "type", path, ""),
            name=_optional_text(data, "name", path),
            status=_text(data, "status", path, "NOT_STARTED"),
            context=context or {},
        )

    @property
    def awaits_judgment(self) -> bool:
        """True for a Manual Judgment stage that is waiting for someone to continue or stop it."""
        return self.type == "manualJudgment" and self.status == "RUNNING" and not self.context.get("judgmentStatus")


@attrs.frozen(kw_only=True)
class Execution:
    """A pipeline execution: its status and stages, and the raw JSON in ``data``.

    ```pycon
    >>> run = Execution.from_dict({"id": "01H", "status": "SUCCEEDED", "stages": []})
    >>> run.is_complete, run.succeeded
    (True, True)

    ```
    """

    id: str
    application: str | None
    name: str | None
    status: str
    pipeline_config_id: str | None
    stages: tuple[ExecutionStage, ...]
    start_time: int | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Execution:
        """Read orca's execution JSON (``GET /pipelines/{id}``); ValueError naming the JSON path of a wrong shape.

        ```pycon
        >>> Execution.from_dict({"id": "01H", "status": "RUNNING", "stages": 5})
        Traceback (most recent call last):
        ...
        ValueError: a list where an execution's stages belong, not a number @ $.stages

        ```
        """
        _expect(data, Mapping, "an execution object", "$")
        stages = data.get("stages")
        _expect(stages, (list, type(None)), "a list where an execution's stages belong", "$.stages")
        return cls(
            id=_text(data, "id", "$", ""),
            application=_optional_text(data, "application", "$"),
            name=_optional_text(data, "name", "$"),
            status=_text(data, "status", "$", "NOT_STARTED"),
            pipeline_config_id=_optional_text(data, "pipelineConfigId", "$"),
            stages=tuple(ExecutionStage.from_dict(stage, f"$.stages[{i}]") for i, stage in enumerate(stages or ())),
            start_time=_optional_millis(data, "startTime", "$"),
            data=data,
        )

    @property
    def is_complete(self) -> bool:
        """True once the execution has finished, whatever the outcome."""
        return self.status in COMPLETED_STATUSES

    @property
    def succeeded(self) -> bool:
        """True when the execution finished successfully."""
        return self.status == "SUCCEEDED"

    @property
    def pending_judgment(self) -> ExecutionStage | None:
        """The Manual Judgment stage waiting for an answer, if any."""
        return next((stage for stage in self.stages if stage.awaits_judgment), None)

    def progress_key(self) -> tuple[str, ...]:
        """Changes whenever the execution or any stage changes status (used to report progress)."""
        return (self.status, *(f"{stage.id}:{stage.status}" for stage in self.stages))

    def __str__(self) -> str:
        stages = ", ".join(f"{stage.name or stage.type}={stage.status}" for stage in self.stages)
        text = f"execution {self.id} of {self.name!r}: {self.status}" + (f" [{stages}]" if stages else "")
        return printable(text)  # names and statuses come from Gate: no terminal escapes


def _expect(value: Any, types: type | tuple[type, ...], expected: str, path: str) -> None:
    if not isinstance(value, types):
        raise ValueError(f"{expected}, not {json_kind(value)} @ {path}")


def _text(data: Mapping[str, Any], key: str, path: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f"a string, not {json_kind(value)} @ {path}.{key}")
    return value


def _optional_millis(data: Mapping[str, Any], key: str, path: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"epoch milliseconds, not {json_kind(value)} @ {path}.{key}")
    return int(value)


def _optional_text(data: Mapping[str, Any], key: str, path: str) -> str | None:
    return None if data.get(key) is None else _text(data, key, path, "")
