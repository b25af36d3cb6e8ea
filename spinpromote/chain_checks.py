"""Checks across the pipelines of a chain: what no single pipeline can see on its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spinpromote import model
from spinpromote.validate import Problem

if TYPE_CHECKING:
    from spinpromote.chain import PromotionChain

__all__ = ["validate_chain"]


def validate_chain(pipelines: Sequence[model.Pipeline], chain: PromotionChain) -> list[Problem]:
    """Each pipeline's own problems, then the chain's: triggers, names, artifact binding, matchers."""
    problems: list[Problem] = []
    for pipeline in pipelines:
        problems += pipeline.validate()
    problems += _unique_names(pipelines)
    problems += _pipeline_triggers(pipelines, chain)
    problems += _artifact_binding(pipelines)
    return problems


def _problem(pipeline: model.Pipeline, path: str, message: str) -> Problem:
    return Problem(path=path, message=message, severity="error", pipeline=pipeline.name)


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
        for index, trigger in enumerate(pipeline.triggers):
            if isinstance(trigger, model.PipelineTrigger) and trigger.pipeline not in known:
                problems.append(
                    _problem(
                        pipeline,
                        f"$.triggers[{index}].pipeline",
                        f"pipeline trigger points at {trigger.pipeline!r}, which is no pipeline of this chain: "
                        "adopt the pipeline with ids={name: id}, or fix the id",
                    )
                )
        for index, stage in enumerate(pipeline.stages):
            if isinstance(stage, model.RunPipeline | model.FindArtifactFromExecution):
                if stage.application == pipeline.application and stage.pipeline not in known:
                    problems.append(
                        _problem(
                            pipeline,
                            f"$.stages[{index}].pipeline",
                            f"{stage.type} stage points at {stage.pipeline!r}, which is no pipeline of this chain: "
                            "adopt it with ids={name: id}",
                        )
                    )
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
            path = f"$.expectedArtifacts[{index}]"
            if ea.match is not None and (not ea.match.type or not ea.match.name):
                problems.append(
                    _problem(
                        pipeline,
                        f"{path}.matchArtifact",
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
                        f"$.expectedArtifacts[{index}].matchArtifact",
                        "two expected artifacts match the same artifacts: make each matcher distinct",
                    )
                )
        produced = {ea.id for s in pipeline.stages for ea in s.expected_artifacts if ea.id}
        for index, stage in enumerate(pipeline.stages):
            if not isinstance(stage, model.DeployManifest):
                continue
            needed = [("manifestArtifactId", stage.manifest_artifact_id)]
            needed += [(f"requiredArtifactIds[{i}]", ea_id) for i, ea_id in enumerate(stage.required_artifact_ids)]
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
