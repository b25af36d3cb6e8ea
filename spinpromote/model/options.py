"""Options every stage shares: failure policy, execution window, conditional execution, moniker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from spinpromote.model._base import SpinnakerObject, to_tuple
from spinpromote.model._frozen import EMPTY, freeze_mapping

__all__ = [
    "ExecutionWindow",
    "FailurePolicy",
    "HourRange",
    "Jitter",
    "Moniker",
    "StageEnabled",
    "to_stage_enabled",
]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class FailurePolicy(SpinnakerObject):
    """What happens to the pipeline when a stage fails (Deck's "If stage fails" options).

    Use the named constructors; each writes all three of Spinnaker's flags, as Deck does:

    ```pycon
    >>> FailurePolicy.halt_branch().to_dict()
    {'failPipeline': False, 'continuePipeline': False, 'completeOtherBranchesThenFail': False}

    ```
    """

    fail_pipeline: bool | None = None
    continue_pipeline: bool | None = None
    complete_other_branches_then_fail: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    """Only for a policy parsed on its own; on a stage, unknown keys belong to the stage's ``extra``."""

    @classmethod
    def halt_pipeline(cls) -> FailurePolicy:
        """Halt the entire pipeline (the stage ends TERMINAL)."""
        return cls(fail_pipeline=True, continue_pipeline=False, complete_other_branches_then_fail=False)

    @classmethod
    def halt_branch(cls) -> FailurePolicy:
        """Halt this branch only; other branches go on (the stage ends STOPPED)."""
        return cls(fail_pipeline=False, continue_pipeline=False, complete_other_branches_then_fail=False)

    @classmethod
    def halt_branch_then_fail(cls) -> FailurePolicy:
        """Halt this branch, let the others finish, then fail the pipeline."""
        return cls(fail_pipeline=False, continue_pipeline=False, complete_other_branches_then_fail=True)

    @classmethod
    def ignore(cls) -> FailurePolicy:
        """Ignore the failure and go on (the stage ends FAILED_CONTINUE)."""
        return cls(fail_pipeline=False, continue_pipeline=True, complete_other_branches_then_fail=False)

    @property
    def halts_pipeline(self) -> bool:
        """True when a failure fails the whole pipeline at once (a missing failPipeline counts as true)."""
        return not self.continue_pipeline and self.fail_pipeline is not False


@attrs.frozen(kw_only=True, eq=False, repr=False)
class StageEnabled(SpinnakerObject):
    """Run the stage only when a SpEL expression (without ``${}``) is true.

    ```pycon
    >>> StageEnabled(expression="#judgment('Approve') == 'deploy'").to_dict()["type"]
    'expression'

    ```
    """

    expression: str | None = None
    type: str | None = "expression"
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


def to_stage_enabled(value: StageEnabled | str | None) -> StageEnabled | None:
    """Accept a bare SpEL expression where a StageEnabled is expected."""
    return StageEnabled(expression=value) if isinstance(value, str) else value


@attrs.frozen(kw_only=True, eq=False, repr=False)
class HourRange(SpinnakerObject):
    """Hours in which a stage may start, in orca's configured time zone (default America/Los_Angeles).

    ```pycon
    >>> HourRange(start_hour=9, end_hour=17).to_dict()
    {'startHour': 9, 'startMin': 0, 'endHour': 17, 'endMin': 0}

    ```
    """

    start_hour: int | None = None
    start_min: int | None = 0
    end_hour: int | None = None
    end_min: int | None = 0
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Jitter(SpinnakerObject):
    """A random delay, in seconds, before a windowed stage starts.

    ```pycon
    >>> Jitter(max_delay=300).to_dict()
    {'enabled': True, 'minDelay': 0, 'maxDelay': 300}

    ```
    """

    enabled: bool | None = True
    min_delay: int | None = 0
    max_delay: int | None = None
    skip_manual: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ExecutionWindow(SpinnakerObject):
    """When a stage may run: days (1 = Sunday ... 7 = Saturday) and hour ranges.

    ```pycon
    >>> ExecutionWindow.weekdays(HourRange(start_hour=9, end_hour=17)).days
    (2, 3, 4, 5, 6)

    ```
    """

    hours: tuple[HourRange, ...] = attrs.field(default=(), converter=to_tuple)
    days: tuple[int, ...] = attrs.field(default=(), converter=to_tuple)
    jitter: Jitter | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)

    @classmethod
    def weekdays(cls, *hours: HourRange, jitter: Jitter | None = None) -> ExecutionWindow:
        """Monday to Friday, in the given hour ranges."""
        return cls(hours=hours, days=(2, 3, 4, 5, 6), jitter=jitter)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Moniker(SpinnakerObject):
    """Names the application (and optionally cluster, stack, detail) a deployed object belongs to.

    ```pycon
    >>> Moniker(app="demo").to_dict()
    {'app': 'demo'}

    ```
    """

    app: str | None = None
    cluster: str | None = None
    stack: str | None = None
    detail: str | None = None
    sequence: int | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
