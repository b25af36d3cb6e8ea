"""Where is each version? Per environment and target: what was deployed last, when, by which execution, and
what waits for a judgment, read from the chain's pipelines' executions (orca's execution JSON, as Gate's
``GET /executions`` returns it). Pure: no HTTP; `GateClient.environments` fetches the executions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from spinpromote.chain import PromotionChain

__all__ = ["Deployed", "EnvironmentStatus", "Waiting", "environments"]

Json = Mapping[str, Any]
Matchers = list[tuple[str | None, str | None]]


@attrs.frozen(kw_only=True)
class Deployed:
    """The last successful deploy to one target: the chain's artifacts it ran with, when, and by which execution.

    ```pycon
    >>> Deployed(target="prod", versions=("docker/image gcr.io/acme/web:v1",), time=None,
    ...          execution_id="01H", pipeline="Deploy to Production").versions[0]
    'docker/image gcr.io/acme/web:v1'

    ```
    """

    target: str
    versions: tuple[str, ...]
    time: datetime | None
    execution_id: str
    pipeline: str


@attrs.frozen(kw_only=True)
class Waiting:
    """A Manual Judgment that waits, the versions it would let through, and since when.

    ```pycon
    >>> Waiting(judgment="Approve", pipeline="Approve", execution_id="01H", since=None, versions=()).judgment
    'Approve'

    ```
    """

    judgment: str
    pipeline: str
    execution_id: str
    since: datetime | None
    versions: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EnvironmentStatus:
    """One environment: each target's last deploy (None: never), and the judgments waiting to let it through.

    ```pycon
    >>> EnvironmentStatus(name="production", targets={"prod": None}, waiting=()).targets
    {'prod': None}

    ```
    """

    name: str
    targets: Mapping[str, Deployed | None]
    waiting: tuple[Waiting, ...]


def environments(chain: PromotionChain, executions: Iterable[Json]) -> list[EnvironmentStatus]:
    """Each environment of the chain, upstream first, from these executions (any order, other pipelines ignored).

    ```pycon
    >>> from spinpromote import ExpectedArtifact, GitHubFile, PromotionChain
    >>> manifest = ExpectedArtifact(display_name="m", match=GitHubFile(path="a.yml", artifact_account="gh"))
    >>> chain = PromotionChain("demo", artifact=manifest).deploy("staging", account="staging")
    >>> [status.targets for status in environments(chain, [])]
    [{'staging': None}]

    ```
    """
    from spinpromote.chain import Environment, GateStep

    runs = sorted(executions, key=lambda e: e.get("startTime") or 0)
    deploy_stages = _deploy_stages(chain)
    matchers = [(ea.match.type, ea.match.name) for ea in chain.all_artifacts if ea.match is not None]
    result: list[EnvironmentStatus] = []
    gates: list[str] = []
    for step in chain.steps:
        if isinstance(step, GateStep):
            if step.stage.type == "manualJudgment":
                gates.append(step.name)
            continue
        assert isinstance(step, Environment)
        targets: dict[str, Deployed | None] = {}
        for target, (pipeline, stage_name) in zip(step.targets, deploy_stages[step.name], strict=True):
            targets[target.title] = _last_deploy(runs, pipeline, stage_name, target.title, matchers)
        waiting = tuple(w for gate in gates for w in _waiting(runs, gate, matchers))
        result.append(EnvironmentStatus(name=step.name, targets=targets, waiting=waiting))
        gates = []
    return result


def _deploy_stages(chain: PromotionChain) -> dict[str, list[tuple[str, str]]]:
    """Each environment's deploy stages as (pipeline name, stage name), one per target, in the chain's layout."""
    from spinpromote.chain import Environment

    names: dict[str, list[tuple[str, str]]] = {}
    pipelines = chain.pipelines()
    for step in chain.steps:
        if not isinstance(step, Environment):
            continue
        several = len(step.targets) > 1
        wanted = [f"{step.stage_name} ({t.title})" if several else step.stage_name for t in step.targets]
        found = []
        for stage_name in wanted:
            pipeline = next(
                p.name or ""
                for p in pipelines
                if any(s.type == "deployManifest" and s.name == stage_name for s in p.stages)
            )
            found.append((pipeline, stage_name))
        names[step.name] = found
    return names


def _time(millis: Any) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc) if isinstance(millis, (int, float)) else None


def _versions(execution: Json, matchers: Matchers) -> tuple[str, ...]:
    """The chain's artifacts in an execution: what it bound (trigger.resolvedExpectedArtifacts), else the
    artifacts its trigger carried that the chain's matchers match (a gate pipeline declares none)."""
    from spinpromote.validate import _field_matches

    trigger = execution.get("trigger") or {}
    bound_artifacts = [e.get("boundArtifact") for e in trigger.get("resolvedExpectedArtifacts") or []]
    if not any(bound_artifacts):
        bound_artifacts = [
            a
            for a in trigger.get("artifacts") or []
            if any(_field_matches(t, a.get("type")) and _field_matches(n, a.get("name")) for t, n in matchers)
        ]
    versions = []
    for bound in bound_artifacts:
        if not bound:
            continue
        if bound.get("type") == "docker/image":
            version = bound.get("reference") or f"{bound.get('name')}:{bound.get('version')}"
        else:
            version = f"{bound.get('name')}@{bound.get('version') or bound.get('reference') or '?'}"
        versions.append(f"{bound.get('type')} {version}")
    return tuple(versions)


def _last_deploy(runs: list[Json], pipeline: str, stage_name: str, target: str, matchers: Matchers) -> Deployed | None:
    last: Deployed | None = None
    last_end = -1
    for execution in runs:
        if execution.get("name") != pipeline:
            continue
        for stage in execution.get("stages") or []:
            if stage.get("name") != stage_name or stage.get("status") != "SUCCEEDED":
                continue
            end = stage.get("endTime") or execution.get("startTime") or 0
            if end >= last_end:
                last_end = end
                last = Deployed(
                    target=target,
                    versions=_versions(execution, matchers),
                    time=_time(stage.get("endTime")),
                    execution_id=str(execution.get("id")),
                    pipeline=pipeline,
                )
    return last


def _waiting(runs: list[Json], judgment: str, matchers: Matchers) -> list[Waiting]:
    found = []
    for execution in runs:
        if execution.get("status") not in ("RUNNING", "PAUSED"):
            continue
        for stage in execution.get("stages") or []:
            if stage.get("type") == "manualJudgment" and stage.get("name") == judgment:
                if stage.get("status") == "RUNNING":
                    found.append(
                        Waiting(
                            judgment=judgment,
                            pipeline=str(execution.get("name")),
                            execution_id=str(execution.get("id")),
                            since=_time(stage.get("startTime")),
                            versions=_versions(execution, matchers),
                        )
                    )
    return found
