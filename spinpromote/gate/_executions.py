"""Pipeline executions as orca reports them: status, stages, and a pending Manual Judgment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

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
    def from_dict(cls, data: Mapping[str, Any]) -> ExecutionStage:
        """Read a stage of orca's execution JSON."""
        return cls(
            id=str(data.get("id", "")),
            ref_id=None if data.get("refId") is None else str(data["refId"]),
            type=str(data.get("type", "")),
            name=data.get("name"),
            status=str(data.get("status", "NOT_STARTED")),
            context=data.get("context") or {},
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
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Execution:
        """Read orca's execution JSON (``GET /pipelines/{id}``)."""
        return cls(
            id=str(data.get("id", "")),
            application=data.get("application"),
            name=data.get("name"),
            status=str(data.get("status", "NOT_STARTED")),
            pipeline_config_id=data.get("pipelineConfigId"),
            stages=tuple(ExecutionStage.from_dict(s) for s in data.get("stages") or [] if isinstance(s, Mapping)),
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
        return f"execution {self.id} of {self.name!r}: {self.status}" + (f" [{stages}]" if stages else "")
