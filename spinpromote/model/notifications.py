"""Notifications on pipelines, stages and Manual Judgments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from spinpromote.model._base import SpinnakerObject, to_str_tuple
from spinpromote.model._frozen import EMPTY, freeze_mapping

__all__ = ["JUDGMENT_EVENTS", "PIPELINE_EVENTS", "STAGE_EVENTS", "Notification"]

PIPELINE_EVENTS = ("pipeline.starting", "pipeline.complete", "pipeline.failed")
STAGE_EVENTS = ("stage.starting", "stage.complete", "stage.failed")
JUDGMENT_EVENTS = ("manualJudgment", "manualJudgmentContinue", "manualJudgmentStop")
"""``when`` values of a Manual Judgment: awaiting judgment, continued, stopped."""


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Notification(SpinnakerObject):
    """Tell people when something happens.

    ``level`` is ``"pipeline"`` on a pipeline and ``"stage"`` on a stage. ``message`` maps a ``when`` value
    to ``{"text": ...}``.

    ```pycon
    >>> Notification.slack("#deploys", when=["manualJudgment"]).to_dict()["type"]
    'slack'

    ```
    """

    type: str | None = None
    address: str | None = None
    level: str | None = None
    when: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    message: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    cc: str | None = None
    notify_every_ms: int | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)

    @classmethod
    def slack(cls, channel: str, *, when: Iterable[str], level: str = "stage", **fields: Any) -> Notification:
        """A Slack message to ``channel``."""
        return cls(type="slack", address=channel, level=level, when=tuple(when), **fields)

    @classmethod
    def email(cls, address: str, *, when: Iterable[str], level: str = "stage", **fields: Any) -> Notification:
        """An email to ``address``."""
        return cls(type="email", address=address, level=level, when=tuple(when), **fields)
