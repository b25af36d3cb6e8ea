"""What every stage has: identity, graph edges, conditions, failure policy, timeout, window, notifications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from spinpromote.model._base import SpinnakerObject, to_ms, to_str_tuple, to_tuple
from spinpromote.model._frozen import EMPTY, freeze_mapping
from spinpromote.model.artifacts import ExpectedArtifact
from spinpromote.model.notifications import Notification
from spinpromote.model.options import ExecutionWindow, FailurePolicy, StageEnabled, to_stage_enabled

__all__ = ["StageFields"]


def _window_flag(self: StageFields) -> bool | None:
    return True if self.restricted_execution_window is not None else None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class StageFields(SpinnakerObject):
    """Fields common to all stages. Subclasses add their own and fix ``type``.

    - ``ref_id`` / ``requisite_stage_ref_ids``: the stage graph. A `PipelineBuilder` fills them in.
    - ``stage_enabled``: a SpEL expression (without ``${}``); the stage is skipped when it is false.
    - ``failure``: a `FailurePolicy`, written as Spinnaker's three flags.
    - ``stage_timeout_ms``: milliseconds (a ``timedelta`` is converted) or a SpEL string.
    - ``restricted_execution_window``: when given, ``restrict_execution_during_time_window`` turns on.
    - ``expected_artifacts``: artifacts this stage produces ("Produces Artifacts").
    """

    TYPE: ClassVar[str]

    ref_id: str | None = None
    requisite_stage_ref_ids: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    name: str | None = None
    stage_enabled: StageEnabled | None = attrs.field(default=None, converter=to_stage_enabled)
    failure: FailurePolicy | None = None
    fail_on_failed_expressions: bool | None = None
    stage_timeout_ms: int | str | None = attrs.field(default=None, converter=to_ms)
    restricted_execution_window: ExecutionWindow | None = None
    restrict_execution_during_time_window: bool | None = attrs.field(
        default=attrs.Factory(_window_flag, takes_self=True)
    )
    send_notifications: bool | None = None
    notifications: tuple[Notification, ...] = attrs.field(default=(), converter=to_tuple)
    comments: str | None = None
    expected_artifacts: tuple[ExpectedArtifact, ...] = attrs.field(default=(), converter=to_tuple)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    """Keys the model does not know, kept (read-only) so that parsing is lossless."""

    @property
    def type(self) -> str:
        """The stage type Spinnaker dispatches on."""
        return self.TYPE
