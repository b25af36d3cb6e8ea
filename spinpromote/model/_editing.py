"""Editing a pipeline's stage graph: find a stage, insert, replace or remove it, and rewire the refIds.

Each function takes a `Pipeline` and returns a new one; nothing is changed in place. A stage is named by
the stage object, its name or its refId. New stages get the next free integer refId (the largest integer
refId plus one, as Deck numbers them) and ``requisiteStageRefIds`` are rewired so the graph stays whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from spinpromote.model.stage_base import StageFields

if TYPE_CHECKING:
    from spinpromote.model.pipeline import Pipeline
    from spinpromote.model.stages import Stage

__all__ = ["insert_after", "insert_before", "map_stages", "remove_stage", "replace_stage", "stage_index", "stages_of"]

S = TypeVar("S", bound=StageFields)
StageRef = StageFields | str


def stage_index(pipeline: Pipeline, stage: StageRef) -> int:
    """The position of ``stage`` (an object, a name or a refId); KeyError if absent, ValueError if ambiguous."""
    stages = pipeline.stages
    if isinstance(stage, StageFields):
        found = [index for index, candidate in enumerate(stages) if candidate is stage]
        found = found or [index for index, candidate in enumerate(stages) if candidate == stage]
        wanted = f"stage {stage.name!r} (refId {stage.ref_id!r})"
    else:
        found = [index for index, candidate in enumerate(stages) if stage in (candidate.ref_id, candidate.name)]
        wanted = f"stage named or with refId {stage!r}"
    if not found:
        listed = ", ".join(f"{candidate.name!r} (refId {candidate.ref_id!r})" for candidate in stages) or "none"
        raise KeyError(f"pipeline {pipeline.name!r} has no {wanted}; its stages: {listed}")
    if len(found) > 1:
        which = ", ".join(f"stages[{index}] (refId {stages[index].ref_id!r})" for index in found)
        raise ValueError(f"{wanted} is ambiguous in {pipeline.name!r}: {which}; name it by refId instead")
    return found[0]


def _next_ref_id(stages: Iterable[StageFields]) -> str:
    numbers = [int(stage.ref_id) for stage in stages if stage.ref_id is not None and stage.ref_id.isdigit()]
    return str(max(numbers, default=0) + 1)


def _own_ref_id(stage: StageFields) -> str:
    if stage.ref_id is None:
        raise ValueError(f"stage {stage.name!r} has no refId, so nothing can be wired to it: set ref_id first")
    return stage.ref_id


def _rewired(stage: S, old: str, new: tuple[str, ...]) -> S:
    """``stage`` depending on ``new`` wherever it depended on ``old``."""
    if old not in stage.requisite_stage_ref_ids:
        return stage
    requisites: list[str] = []
    for ref_id in stage.requisite_stage_ref_ids:
        for replacement in new if ref_id == old else (ref_id,):
            if replacement not in requisites:
                requisites.append(replacement)
    return attrs.evolve(stage, requisite_stage_ref_ids=tuple(requisites))


def _with_stages(pipeline: Pipeline, stages: Iterable[Any]) -> Pipeline:
    return attrs.evolve(pipeline, stages=tuple(stages))


def insert_before(pipeline: Pipeline, stage: StageRef, new: StageFields) -> Pipeline:
    """``new`` takes the parents of ``stage``, and ``stage`` then depends on ``new`` alone."""
    index = stage_index(pipeline, stage)
    old = pipeline.stages[index]
    ref_id = _next_ref_id(pipeline.stages)
    added = attrs.evolve(new, ref_id=ref_id, requisite_stage_ref_ids=old.requisite_stage_ref_ids)
    stages: list[Any] = list(pipeline.stages)
    stages[index] = attrs.evolve(old, requisite_stage_ref_ids=(ref_id,))
    stages.insert(index, added)
    return _with_stages(pipeline, stages)


def insert_after(pipeline: Pipeline, stage: StageRef, new: StageFields) -> Pipeline:
    """``new`` depends on ``stage`` and takes over its children."""
    index = stage_index(pipeline, stage)
    old_ref = _own_ref_id(pipeline.stages[index])
    ref_id = _next_ref_id(pipeline.stages)
    added = attrs.evolve(new, ref_id=ref_id, requisite_stage_ref_ids=(old_ref,))
    stages: list[Any] = [_rewired(candidate, old_ref, (ref_id,)) for candidate in pipeline.stages]
    stages.insert(index + 1, added)
    return _with_stages(pipeline, stages)


def replace_stage(pipeline: Pipeline, stage: StageRef, new: StageFields) -> Pipeline:
    """``new`` in the place of ``stage``, with its refId and requisites."""
    index = stage_index(pipeline, stage)
    old = pipeline.stages[index]
    stages: list[Any] = list(pipeline.stages)
    stages[index] = attrs.evolve(new, ref_id=old.ref_id, requisite_stage_ref_ids=old.requisite_stage_ref_ids)
    return _with_stages(pipeline, stages)


def remove_stage(pipeline: Pipeline, stage: StageRef) -> Pipeline:
    """The pipeline without ``stage``; its children depend on its parents instead."""
    index = stage_index(pipeline, stage)
    old = pipeline.stages[index]
    parents = old.requisite_stage_ref_ids
    stages = [
        candidate if old.ref_id is None else _rewired(candidate, old.ref_id, parents)
        for position, candidate in enumerate(pipeline.stages)
        if position != index
    ]
    return _with_stages(pipeline, stages)


def map_stages(pipeline: Pipeline, function: Callable[[Stage], StageFields]) -> Pipeline:
    """Every stage replaced by ``function(stage)``."""
    return _with_stages(pipeline, (function(stage) for stage in pipeline.stages))


def stages_of(pipeline: Pipeline, cls: type[S]) -> tuple[S, ...]:
    """The stages that are instances of ``cls``, in pipeline order."""
    return tuple(stage for stage in pipeline.stages if isinstance(stage, cls))
