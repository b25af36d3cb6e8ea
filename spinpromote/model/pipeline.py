"""The pipeline: triggers, expected artifacts, parameters, notifications and a graph of stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from spinpromote.model import _editing
from spinpromote.model._base import Drawable, SpinnakerObject, Validatable, to_str_tuple, to_tuple
from spinpromote.model._frozen import EMPTY, freeze, freeze_mapping
from spinpromote.model.artifacts import ExpectedArtifact
from spinpromote.model.notifications import Notification
from spinpromote.model.stage_base import StageFields
from spinpromote.model.stages import Stage
from spinpromote.model.triggers import Trigger

if TYPE_CHECKING:
    from spinpromote.validate import Problem

__all__ = ["ManualStartAlert", "Parameter", "ParameterOption", "Pipeline", "PipelineLock"]

S = TypeVar("S", bound=StageFields)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ParameterOption(SpinnakerObject):
    """One allowed value of a parameter.

    ```pycon
    >>> ParameterOption(value="prod").to_dict()
    {'value': 'prod'}

    ```
    """

    value: Any = attrs.field(default=None, converter=freeze)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


def _to_options(values: Any) -> tuple[ParameterOption, ...]:
    if values is None:
        return ()
    return tuple(v if isinstance(v, ParameterOption) else ParameterOption(value=v) for v in values)


def _has_options(self: Parameter) -> bool | None:
    return True if self.options else None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Parameter(SpinnakerObject):
    """A pipeline parameter (an entry of ``parameterConfig``), read as ``${parameters.<name>}``.

    ```pycon
    >>> Parameter(name="env", default="staging", options=["staging", "prod"]).has_options
    True

    ```
    """

    name: str | None = None
    label: str | None = None
    description: str | None = None
    default: Any = attrs.field(default=None, converter=freeze)
    required: bool | None = None
    pinned: bool | None = None
    options: tuple[ParameterOption, ...] = attrs.field(default=(), converter=_to_options)
    has_options: bool | None = attrs.field(default=attrs.Factory(_has_options, takes_self=True))
    constraint: str | None = None
    condition: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PipelineLock(SpinnakerObject):
    """Lock the pipeline against edits in Deck (only Deck enforces it).

    ```pycon
    >>> PipelineLock(description="Managed in git").to_dict()
    {'ui': True, 'description': 'Managed in git'}

    ```
    """

    ui: bool | None = True
    allow_unlock_ui: bool | None = None
    description: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ManualStartAlert(SpinnakerObject):
    """A message Deck shows before a manual start; ``type`` is danger, warning or info.

    ```pycon
    >>> ManualStartAlert(message="This deploys to production.").to_dict()
    {'type': 'warning', 'message': 'This deploys to production.'}

    ```
    """

    type: str | None = "warning"
    message: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Pipeline(SpinnakerObject, Validatable, Drawable):
    """A Spinnaker pipeline config, as front50 stores it.

    Defaults are Deck's for a new pipeline: ``limitConcurrent`` on, ``keepWaitingPipelines`` off, SpEL v4,
    and empty triggers, parameters, notifications and stages. Server-managed keys (``updateTs``,
    ``lastModifiedBy``, ``schema``, ``index``, ...) are never written for new pipelines; parsed ones keep
    them in ``extra``.

    ```pycon
    >>> Pipeline(application="demo", name="Deploy").to_dict()["limitConcurrent"]
    True

    ```
    """

    id: str | None = None
    application: str | None
    name: str | None
    description: str | None = None
    keep_waiting_pipelines: bool | None = False
    limit_concurrent: bool | None = True
    max_concurrent_executions: int | None = None
    spel_evaluator: str | None = "v4"
    disabled: bool | None = None
    locked: PipelineLock | None = None
    roles: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    respect_quiet_period: bool | None = None
    manual_start_alert: ManualStartAlert | None = None
    triggers: tuple[Trigger, ...] = attrs.field(default=(), converter=to_tuple)
    expected_artifacts: tuple[ExpectedArtifact, ...] = attrs.field(default=(), converter=to_tuple)
    parameters: tuple[Parameter, ...] = attrs.field(default=(), converter=to_tuple)
    notifications: tuple[Notification, ...] = attrs.field(default=(), converter=to_tuple)
    stages: tuple[Stage, ...] = attrs.field(default=(), converter=to_tuple)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    """Keys the model does not know (and server-managed ones), kept as they came, read-only."""

    def validate(self) -> list[Problem]:
        """Every problem Spinnaker would only reveal at run time, each with a JSON path and a severity.

        Keys given twice in the JSON this pipeline was read from are warnings: the last value counts, in
        Spinnaker (Jackson keeps the last) as here.
        """
        from spinpromote.validate import Problem, validate_pipeline

        given_twice = self._wire.duplicates if self._wire is not None else ()
        return validate_pipeline(self) + [
            Problem(
                path=path,
                message="this key is given twice: Spinnaker keeps the last value (as parsed here); remove the other",
                severity="warning",
                pipeline=self.name,
            )
            for path in given_twice
        ]

    def __repr__(self) -> str:
        return (
            f"<Pipeline {self.name!r} of {self.application!r}: {len(self.triggers)} trigger(s), "
            f"{len(self.stages)} stage(s)>"
        )

    def _drawn_pipelines(self) -> list[Pipeline]:
        return [self]

    def stages_of(self, cls: type[S]) -> tuple[S, ...]:
        """The stages of one class, in order: ``pipeline.stages_of(DeployManifest)``."""
        return _editing.stages_of(self, cls)

    def insert_before(self, stage: StageFields | str, new: StageFields) -> Pipeline:
        """A copy with ``new`` before ``stage`` (object, name or refId): ``new`` takes its parents.

        ```pycon
        >>> from spinpromote import ManualJudgment, Wait
        >>> pipeline = Pipeline(application="demo", name="p", stages=[Wait(ref_id="1", name="Soak", wait_time=60)])
        >>> edited = pipeline.insert_before("Soak", ManualJudgment(name="Approve"))
        >>> [(s.name, s.ref_id, s.requisite_stage_ref_ids) for s in edited.stages]
        [('Approve', '2', ()), ('Soak', '1', ('2',))]

        ```
        """
        return _editing.insert_before(self, stage, new)

    def insert_after(self, stage: StageFields | str, new: StageFields) -> Pipeline:
        """A copy with ``new`` after ``stage`` (object, name or refId): ``new`` takes over its children."""
        return _editing.insert_after(self, stage, new)

    def replace_stage(self, stage: StageFields | str, new: StageFields) -> Pipeline:
        """A copy with ``new`` in the place of ``stage``, keeping its refId and requisites."""
        return _editing.replace_stage(self, stage, new)

    def remove_stage(self, stage: StageFields | str) -> Pipeline:
        """A copy without ``stage``; its children depend on its parents instead."""
        return _editing.remove_stage(self, stage)

    def map_stages(self, function: Callable[[Stage], StageFields]) -> Pipeline:
        """A copy with every stage replaced by ``function(stage)`` (return the stage itself to keep it)."""
        return _editing.map_stages(self, function)

    def stage(self, name: str) -> Stage:
        """The stage with this exact name; KeyError names the stages there are."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        names = ", ".join(repr(s.name) for s in self.stages)
        raise KeyError(f"pipeline {self.name!r} has no stage named {name!r} (stages: {names})")
