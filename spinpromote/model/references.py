"""The one table of what in a pipeline names another pipeline by id: pipeline triggers, and the stages below.

Chain checks and diagrams read it from here; the stage types themselves live in `spinpromote._references`,
which the planning layer reads for JSON documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from spinpromote._references import PIPELINE_REFERENCE_STAGE_TYPES
from spinpromote.model.stages import FindArtifactFromExecution, RunPipeline
from spinpromote.model.triggers import PipelineTrigger

if TYPE_CHECKING:
    from spinpromote.model.pipeline import Pipeline

__all__ = ["PIPELINE_REFERENCE_STAGES", "PipelineReference", "pipeline_references"]

PIPELINE_REFERENCE_STAGES: tuple[type[RunPipeline] | type[FindArtifactFromExecution], ...] = (
    RunPipeline,
    FindArtifactFromExecution,
)
"""Stages whose ``pipeline`` field is another pipeline's id (``application`` says whose)."""
assert {stage.TYPE for stage in PIPELINE_REFERENCE_STAGES} == PIPELINE_REFERENCE_STAGE_TYPES


class PipelineReference(NamedTuple):
    """One place a pipeline names another: the JSON path of the ``pipeline`` key, what holds it, the id named,
    and the application it is looked up in (None: a pipeline trigger's own application, or unset).

    ```pycon
    >>> from spinpromote import Pipeline, PipelineTrigger
    >>> pipeline = Pipeline(application="demo", name="prod", triggers=[PipelineTrigger(pipeline="up-id")])
    >>> [(ref.path, ref.pipeline) for ref in pipeline_references(pipeline)]
    [('$.triggers[0].pipeline', 'up-id')]

    ```
    """

    path: str
    holder: PipelineTrigger | RunPipeline | FindArtifactFromExecution
    pipeline: str | None
    application: str | None


def pipeline_references(pipeline: Pipeline) -> Iterator[PipelineReference]:
    """Every pipeline trigger and every stage of `PIPELINE_REFERENCE_STAGES` in ``pipeline``, in order."""
    for index, trigger in enumerate(pipeline.triggers):
        if isinstance(trigger, PipelineTrigger):
            yield PipelineReference(f"$.triggers[{index}].pipeline", trigger, trigger.pipeline, trigger.application)
    for index, stage in enumerate(pipeline.stages):
        if isinstance(stage, PIPELINE_REFERENCE_STAGES):
            yield PipelineReference(f"$.stages[{index}].pipeline", stage, stage.pipeline, stage.application)
