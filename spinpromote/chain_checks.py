"""Checks across the pipelines of a chain: what no single pipeline can see on its own."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spinpromote import model
from spinpromote.codec import wire_path
from spinpromote.model.references import pipeline_references
from spinpromote.validate import _STAGE_LOOKUP, Problem, Severity, _strings

if TYPE_CHECKING:
    from spinpromote.chain import PromotionChain

__all__ = ["validate_chain"]


def validate_chain(pipelines: Sequence[model.Pipeline], chain: PromotionChain) -> list[Problem]:
    """Each pipeline's own problems, then the chain's: triggers, names, artifact binding, matchers."""
    problems: list[Problem] = []
    for pipeline in pipelines:
        problems += pipeline.validate()
    elsewhere = _judgments_elsewhere(pipelines, chain)
    replaced = {(p.pipeline, p.path) for p in elsewhere}
    problems = [p for p in problems if (p.pipeline, p.path) not in replaced or "#judg" not in p.message]
    problems += elsewhere
    problems += _unique_names(pipelines)
    problems += _floating_deploys(pipelines, chain)
    problems += _find_after_a_gate(pipelines)
    problems += _pipeline_triggers(pipelines, chain)
    problems += _artifact_binding(pipelines)
    return problems


def _problem(pipeline: model.Pipeline, path: str, message: str, severity: Severity = "error") -> Problem:
    return Problem(path=path, message=message, severity=severity, pipeline=pipeline.name)


def _judgments_elsewhere(pipelines: Sequence[model.Pipeline], chain: PromotionChain) -> list[Problem]:
    """``#judgment('X')`` where X is a judgment of another pipeline of the chain, in the layout in use.

    orca's ``#judgment`` searches the running execution's stages only (StageExpressionFunctionProvider.java:
    183-211): the lookup fails, and a ``stageEnabled`` that fails skips the stage (OptionalStageSupport.java).
    """
    owner = {
        stage.name: pipeline.name
        for pipeline in pipelines
        for stage in pipeline.stages
        if isinstance(stage, model.ManualJudgment) and stage.name
    }
    advice = "layout='single')" if chain.layout == "gated" else "layout='gated') (or 'single')"
    problems = []
    for pipeline in pipelines:
        own = {s.name for s in pipeline.stages if isinstance(s, model.ManualJudgment)}
        for path, text in _strings(pipeline.to_dict(), "$"):
            for match in _STAGE_LOOKUP.finditer(text):
                function, name = match.group(1), match.group(3)
                if function == "stage" or name in own or name not in owner:
                    continue
                problems.append(
                    _problem(
                        pipeline,
                        path,
                        f"#{function}({name!r}) names the judgment of pipeline {owner[name]!r}: in the "
                        f"{chain.layout!r} layout that is another pipeline, and #{function}() sees only its own, so "
                        "the lookup fails and a stage it enables is always skipped: declare "
                        f"PromotionChain(..., {advice}",
                    )
                )
    return problems


_SHA = re.compile(r"[0-9a-f]{40}")
_ARTIFACTS = wire_path(model.Pipeline, "expected_artifacts")
_MATCH = wire_path(model.ExpectedArtifact, "match")


def floats(artifact: model.Artifact) -> str | None:
    """Why fetching this artifact later may give other content, or None when it is pinned.

    clouddriver fetches a GitHub or GitLab file, or a git repo, at ``version``: a branch resolves to its tip at
    each fetch, a full commit SHA to that commit; Bitbucket ignores ``version`` (the commit goes in the
    reference); a Helm chart without a version is the latest in the index (research notes Q2 a, d, e:
    GitHubArtifactCredentials.java:73-81, GitlabArtifactCredentials.java:58-66, SimpleHttpArtifactCredentials
    .java:34-43, GitJobExecutor.java:45-46, IndexParser.java:61-111).
    """
    kind = artifact.type or ""
    if kind in ("github/file", "gitlab/file", "git/repo"):
        version = artifact.version or "master"
        return None if _SHA.fullmatch(version) else f"{artifact.name} at {version!r}"
    if kind == "bitbucket/file":
        return None if _SHA.search(artifact.reference or "") else f"{artifact.name} at the tip of its branch"
    if kind == "helm/chart" and not artifact.version:
        return f"chart {artifact.name} at its latest version"
    if kind == "http/file":
        return f"{artifact.reference or artifact.name} as it is then"
    return None


def _floating_deploys(pipelines: Sequence[model.Pipeline], chain: PromotionChain) -> list[Problem]:
    """Deploys after the first environment that fetch the chain's artifacts again, at a moving version."""
    defaults = {ea.id: ea.default for ea in chain.all_artifacts if ea.default is not None and ea.use_default_artifact}
    first_deploy = next(
        (i for i, p in enumerate(pipelines) if any(isinstance(s, model.DeployManifest) for s in p.stages)), None
    )
    problems = []
    for position, pipeline in enumerate(pipelines):
        seen_deploy = position != first_deploy
        for index, stage in enumerate(pipeline.stages):
            if not isinstance(stage, model.DeployManifest):
                continue
            if not seen_deploy:
                seen_deploy = True  # the first environment's own deploy fetches what it fetches
                continue
            default = defaults.get(stage.manifest_artifact_id or "")
            why = floats(default) if default is not None else None
            if stage.source != "artifact" or why is None:
                continue
            path = f"$.stages[{index}].{wire_path(model.DeployManifest, 'manifest_artifact_id')}"
            if chain.pin:
                message = (
                    f"this deploy fetches {why} again when it runs, so a change pushed after the first environment "
                    "deployed reaches it untested, and the chain cannot pin it: deploy the chain's manifest "
                    "through deploy() (which carries the content on), or pin the version to a commit SHA"
                )
                problems.append(_problem(pipeline, path, message))
            else:
                message = (
                    f"the chain is not pinned (pin=False): this deploy fetches {why} again when it runs, so a "
                    "change pushed after the first environment deployed reaches it untested; pin=True (the "
                    "default) deploys the content the first environment deployed"
                )
                problems.append(_problem(pipeline, path, message, "warning"))
    return problems


def _find_after_a_gate(pipelines: Sequence[model.Pipeline]) -> list[Problem]:
    """Find Artifact From Execution in a pipeline started by a gate pipeline, not by the one it reads.

    The stage takes the latest successful execution of the pipeline it names when it runs (ArtifactUtils.java:
    300-326), and nothing selects a given execution (FindArtifactFromExecutionContext.java:40-87). Started after
    a judgment in another pipeline, it reads whatever passed last, not what was approved.
    """
    problems = []
    for pipeline in pipelines:
        parents = {t.pipeline for t in pipeline.triggers if isinstance(t, model.PipelineTrigger)}
        if not parents:
            continue
        for index, stage in enumerate(pipeline.stages):
            if isinstance(stage, model.FindArtifactFromExecution) and stage.pipeline not in parents:
                problems.append(
                    _problem(
                        pipeline,
                        f"$.stages[{index}].{wire_path(model.FindArtifactFromExecution, 'pipeline')}",
                        "this pipeline starts after another pipeline's gate, and Find Artifact From Execution then "
                        "reads the latest successful run of the pipeline it names, not the one that was approved: "
                        "a newer run that passed meanwhile is deployed instead. Use handoff='trigger' (the "
                        "default), which hands over exactly the approved run's artifacts, or layout='gated'",
                    )
                )
    return problems


def _unique_names(pipelines: Sequence[model.Pipeline]) -> list[Problem]:
    problems = []
    seen: dict[tuple[str, str], str] = {}
    for pipeline in pipelines:
        key = ((pipeline.application or "").lower(), (pipeline.name or "").strip().lower())
        if key in seen:
            problems.append(
                _problem(
                    pipeline,
                    "$.name",
                    f"front50 compares names case-insensitively: {pipeline.name!r} clashes with {seen[key]!r}",
                )
            )
        else:
            seen[key] = pipeline.name or ""
    return problems


def _pipeline_triggers(pipelines: Sequence[model.Pipeline], chain: PromotionChain) -> list[Problem]:
    known = {p.id for p in pipelines} | set(chain.ids.values())
    problems = []
    for pipeline in pipelines:
        for reference in pipeline_references(pipeline):
            holder = reference.holder
            if reference.pipeline in known:
                continue
            if isinstance(holder, model.PipelineTrigger):
                message = (
                    f"pipeline trigger points at {reference.pipeline!r}, which is no pipeline of this chain: "
                    "adopt the pipeline with ids={name: id}, or fix the id"
                )
            elif reference.application == pipeline.application:
                message = (
                    f"{holder.type} stage points at {reference.pipeline!r}, which is no pipeline of this chain: "
                    "adopt it with ids={name: id}"
                )
            else:
                continue  # another application's pipeline: not the chain's to know
            problems.append(_problem(pipeline, reference.path, message))
    return problems


def _matcher(ea: model.ExpectedArtifact) -> tuple[str | None, str | None]:
    return (ea.match.type, ea.match.name) if ea.match is not None else (None, None)


def _artifact_binding(pipelines: Sequence[model.Pipeline]) -> list[Problem]:
    """Every artifact a deploy needs binds: from a trigger, a default, or what flows down the chain."""
    problems = []
    flowing: dict[str, set[tuple[str | None, str | None]]] = {}  # pipeline id -> matchers it passes on
    by_id = {p.id: p for p in pipelines}
    for pipeline in pipelines:
        received: set[tuple[str | None, str | None]] = set()
        listed: set[str] = set()
        for trigger in pipeline.triggers:
            listed.update(trigger.expected_artifact_ids)
            if isinstance(trigger, model.PipelineTrigger) and trigger.pipeline in by_id:
                received |= flowing.get(trigger.pipeline or "", set())
        declared = {ea.id: ea for ea in pipeline.expected_artifacts if ea.id}
        bound: set[str] = set()
        for index, ea in enumerate(pipeline.expected_artifacts):
            path = f"$.{_ARTIFACTS}[{index}]"
            if ea.match is not None and (not ea.match.type or not ea.match.name):
                problems.append(
                    _problem(
                        pipeline,
                        f"{path}.{_MATCH}",
                        "artifacts pile up as they flow down a chain: a matcher needs both type and name to "
                        "match exactly one of them",
                    )
                )
            sources = (ea.use_default_artifact and ea.default is not None) or ea.use_prior_artifact
            from_upstream = _matcher(ea) in received
            has_trigger_source = any(
                ea.id in (t.expected_artifact_ids) and not isinstance(t, model.PipelineTrigger)
                for t in pipeline.triggers
            )
            if sources or from_upstream or has_trigger_source:
                if ea.id:
                    bound.add(ea.id)
            elif ea.id in listed:
                problems.append(
                    _problem(
                        pipeline,
                        path,
                        f"expected artifact {ea.display_name or ea.id!r} is listed on a pipeline trigger but no "
                        "upstream pipeline of the chain passes on an artifact it matches",
                    )
                )
        matchers = Counter(_matcher(ea) for ea in declared.values())
        for index, ea in enumerate(pipeline.expected_artifacts):
            if matchers[_matcher(ea)] > 1:
                problems.append(
                    _problem(
                        pipeline,
                        f"$.{_ARTIFACTS}[{index}].{_MATCH}",
                        "two expected artifacts match the same artifacts: make each matcher distinct",
                    )
                )
        produced = {ea.id for s in pipeline.stages for ea in s.expected_artifacts if ea.id}
        for index, stage in enumerate(pipeline.stages):
            if not isinstance(stage, model.DeployManifest):
                continue
            needed = [(wire_path(model.DeployManifest, "manifest_artifact_id"), stage.manifest_artifact_id)]
            required = wire_path(model.DeployManifest, "required_artifact_ids")
            needed += [(f"{required}[{i}]", ea_id) for i, ea_id in enumerate(stage.required_artifact_ids)]
            for key, ea_id in needed:
                if ea_id is None or ea_id in produced:
                    continue
                if ea_id in declared and ea_id not in bound:
                    problems.append(
                        _problem(
                            pipeline,
                            f"$.stages[{index}].{key}",
                            f"expected artifact {ea_id!r} can never bind: no trigger supplies it, it has no "
                            "default, and nothing upstream passes it on",
                        )
                    )
        flowing[pipeline.id or ""] = received | {_matcher(declared[i]) for i in bound}
    return problems
