"""What a simulation shows: executions, their stage runs, and the deployments that ran, as frozen records.

Records are snapshots built from orca's execution JSON when asked for (their ``context``, ``outputs`` and
``trigger`` are read-only views of the top level); artifacts in them are spinpromote model objects
(`spinpromote.GitHubFile`, `spinpromote.DockerImage`, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

import attrs

from spinpromote.model import Artifact, ExpectedArtifact

__all__ = ["Deployment", "Execution", "Rollback", "StageRun", "to_artifact"]

Json = dict[str, Any]


def to_artifact(data: Mapping[str, Any]) -> Artifact:
    """A wire-format artifact as the model class of its type (GenericArtifact for types the model lacks).

    ```pycon
    >>> to_artifact({"type": "docker/image", "name": "gcr.io/acme/web", "reference": "gcr.io/acme/web:v2"}).reference
    'gcr.io/acme/web:v2'

    ```
    """
    # The expected-artifact parser dispatches on ``type``, which is exactly what is needed here.
    match = ExpectedArtifact.from_dict({"matchArtifact": dict(data)}).match
    assert match is not None
    return match


def _time(ms: Any) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc) if isinstance(ms, int) else None


@attrs.frozen(kw_only=True)
class StageRun:
    """One stage of an execution: its name, type, refId, status (orca's names) and error message.

    ```pycon
    >>> StageRun(id="1", name="Deploy", type="deployManifest", ref_id="1", status="SUCCEEDED").succeeded
    True

    ```
    """

    id: str
    name: str
    type: str
    ref_id: str
    status: str
    error: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    context: Mapping[str, Any] = attrs.field(factory=dict)
    outputs: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def succeeded(self) -> bool:
        """True when the stage ended SUCCEEDED."""
        return self.status == "SUCCEEDED"

    @classmethod
    def from_json(cls, stage: Mapping[str, Any]) -> StageRun:
        """Build the record from orca's stage JSON."""
        context = stage.get("context") or {}
        return cls(
            id=stage["id"],
            name=stage.get("name") or "",
            type=stage.get("type") or "",
            ref_id=str(stage.get("refId")),
            status=stage["status"],
            error=stage_error(stage),
            started=_time(stage.get("startTime")),
            ended=_time(stage.get("endTime")),
            context=MappingProxyType(dict(context)),
            outputs=MappingProxyType(dict(stage.get("outputs") or {})),
        )


def stage_error(stage: Mapping[str, Any]) -> str | None:
    """The first error message orca recorded on a stage (``context.exception.details.errors``)."""
    details = ((stage.get("context") or {}).get("exception") or {}).get("details") or {}
    errors = details.get("errors") or []
    return str(errors[0]) if errors else (details.get("error") or None)


@attrs.frozen(kw_only=True)
class Execution:
    """One pipeline execution as orca stores it, read as a record.

    ``error`` is the message of the first failure, in orca's words: a failure at start (an unmatched
    expected artifact, say) or in a stage. ``notes`` lists what the simulator did not model on the way.

    ```pycon
    >>> from spinpromote.sim import GitPush, Spinnaker
    >>> spin = Spinnaker()
    >>> pause = {"refId": "1", "type": "wait", "name": "Pause", "waitTime": 5}
    >>> _ = spin.save({"application": "demo", "name": "Hello", "stages": [pause]})
    >>> run = spin.run("demo", "Hello")
    >>> spin.settle(); run = spin.execution(run.id); run.status
    'RUNNING'
    >>> spin.advance(5); spin.execution(run.id).status
    'SUCCEEDED'

    ```
    """

    id: str
    application: str
    pipeline_name: str
    pipeline_id: str
    status: str
    stages: tuple[StageRun, ...]
    error: str | None
    trigger: Mapping[str, Any]
    started: datetime | None = None
    ended: datetime | None = None
    notes: tuple[str, ...] = ()

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        """The trigger's resolved artifacts (``trigger.artifacts``), as model objects."""
        return tuple(to_artifact(a) for a in self.trigger.get("artifacts") or [])

    def stage(self, name: str) -> StageRun:
        """The first stage with this name (or refId)."""
        for stage in self.stages:
            if name in (stage.name, stage.ref_id):
                return stage
        raise KeyError(f"execution {self.id} of {self.pipeline_name!r} has no stage {name!r}")

    @classmethod
    def from_json(cls, execution: Mapping[str, Any], notes: Sequence[str] = ()) -> Execution:
        """Build the record from orca's execution JSON."""
        stages = tuple(StageRun.from_json(stage) for stage in execution.get("stages") or [])
        error = None
        if execution.get("canceled") and execution.get("canceledBy") == "system":
            error = str(execution.get("cancellationReason") or "").removeprefix("Failed on startup: ") or None
        if error is None:
            error = next((stage.error for stage in stages if stage.error), None)
        trigger = execution.get("trigger") or {}
        return cls(
            id=execution["id"],
            application=execution["application"],
            pipeline_name=execution.get("name") or "",
            pipeline_id=execution.get("pipelineConfigId") or "",
            status=execution["status"],
            stages=stages,
            error=error,
            trigger=MappingProxyType(dict(trigger)),
            started=_time(execution.get("startTime")),
            ended=_time(execution.get("endTime")),
            notes=tuple(notes),
        )


@attrs.frozen(kw_only=True)
class Deployment:
    """One Deploy (Manifest) that ran: where, from which execution, what it bound and what it applied.

    ``manifest`` is the bound manifest artifact with the version clouddriver fetched (a branch resolved to
    its commit); ``images`` the bound required artifacts; ``content`` the manifest text applied, images
    substituted.

    ```pycon
    >>> from spinpromote import GitHubFile
    >>> deployment = Deployment(account="prod", namespace="default", application="demo", pipeline_name="Deploy",
    ...     stage_name="Deploy", execution_id="01", manifest=GitHubFile(path="app.yml", version="abc"), images=(),
    ...     content="kind: Deployment")
    >>> deployment.manifest.version
    'abc'

    ```
    """

    account: str
    namespace: str
    application: str
    pipeline_name: str
    stage_name: str
    execution_id: str
    manifest: Artifact | None
    images: tuple[Artifact, ...]
    content: str
    time: datetime | None = None


@attrs.frozen(kw_only=True)
class Rollback:
    """One Undo Rollout (Manifest) that ran: which workload, how many revisions back.

    ```pycon
    >>> Rollback(account="prod", namespace="shop", manifest_name="deployment web", revisions_back=1,
    ...          execution_id="01", stage_name="Undo").revisions_back
    1

    ```
    """

    account: str
    namespace: str
    manifest_name: str
    revisions_back: int
    execution_id: str
    stage_name: str
