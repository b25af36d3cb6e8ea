"""Stored pipelines front50 accepts unvalidated (runtime.md §8 F8) must fail the way orca fails them, never crash
the simulator mid-action, and never stop other pipelines from running."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from spinpromote.sim import Spinnaker
from spinpromote.sim.cron import fire_times
from tests.sim._build import pipeline, wait


def run_one(*documents: dict[str, Any], advance: int = 3600) -> Any:
    spin = Spinnaker()
    for document in documents:
        spin.save(document)
    started = spin.run("demo", documents[0]["name"])
    spin.advance(advance)
    return spin, spin.execution(started.id)


@pytest.mark.parametrize(
    ("stage", "says"),
    [
        (wait("w", 10, stageTimeoutMs="abc"), "stageTimeoutMs 'abc' is not a number of milliseconds"),
        (
            wait(
                "w",
                1,
                restrictExecutionDuringTimeWindow=True,
                restrictedExecutionWindow={"whitelist": [{"startHour": 25, "endHour": 26}]},
            ),
            "hour must be in 0..23",
        ),
        ({"type": "bakeManifest", "name": "w", "inputArtifacts": ["x"]}, "'str' object has no attribute 'get'"),
    ],
)
def test_a_task_that_throws_fails_its_stage_terminal(stage: dict[str, Any], says: str) -> None:
    """RunTaskHandler.kt:162-178: a non-retryable task exception completes the stage with its failure status."""
    _, run = run_one(pipeline("P", stage, wait("after")))

    assert run.status == "TERMINAL"
    assert [s.status for s in run.stages] == ["TERMINAL", "NOT_STARTED"]
    assert run.error is not None and says in run.error
    assert any("the message here is the simulator's" in note for note in run.notes)


def test_a_task_that_throws_honours_the_failure_flags() -> None:
    _, run = run_one(pipeline("P", wait("w", 10, stageTimeoutMs="abc", continuePipeline=True), wait("after")))

    assert run.status == "SUCCEEDED"
    assert [s.status for s in run.stages] == ["FAILED_CONTINUE", "SUCCEEDED"]


def test_non_object_expected_artifacts_fail_the_execution_at_start() -> None:
    """ExecutionLauncher.java:117-125: an exception at start stores a TERMINAL execution that ran no stage."""
    spin, run = run_one(pipeline("P", wait("w"), expectedArtifacts=["x"]))

    assert run.status == "TERMINAL" and all(s.status == "NOT_STARTED" for s in run.stages)
    assert run.error is not None and "expectedArtifacts cannot be read" in run.error
    assert len(spin.executions("demo")) == 1


def test_non_object_parameter_configs_and_triggers_are_passed_over() -> None:
    child = {**pipeline("Child", wait("c")), "triggers": ["junk", {"type": "pipeline", "enabled": True,
             "pipeline": "id-P", "status": ["successful"]}]}  # fmt: skip
    spin, run = run_one(pipeline("P", wait("w"), parameterConfig=["x", {"name": "env", "default": "qa"}]), child)

    assert run.status == "SUCCEEDED" and run.trigger["parameters"] == {"env": "qa"}
    assert [e.status for e in spin.executions("demo", pipeline="Child")] == ["SUCCEEDED"]


def test_an_unknown_parent_execution_is_ignored_as_orca_does() -> None:
    """OperationsController.groovy:288-304 attaches the parent only when the execution exists."""
    spin = Spinnaker()
    spin.save(pipeline("P", wait("w")))

    execution_id = spin.trigger("demo", "P", {"parentPipelineId": "01NOSUCHEXECUTION"})
    spin.settle()

    run = spin.execution(execution_id)
    assert run.status == "SUCCEEDED" and "parentExecution" not in run.trigger
    assert any("names no execution" in note for note in run.notes)


def test_a_cron_that_cannot_be_scheduled_is_skipped_and_the_others_fire() -> None:
    """echo logs and skips a trigger Quartz refuses (PipelineConfigsPollingJob.groovy registerNewTrigger)."""
    spin = Spinnaker()
    cron = {"type": "cron", "enabled": True}
    spin.save({**pipeline("Bad", wait("w")), "triggers": [{**cron, "cronExpression": "0 0 10 ? * MON-XYZ"}]})
    spin.save({**pipeline("Good", wait("w")), "triggers": [{**cron, "cronExpression": "0 0 10 ? * MON-FRI"}, "x"]})

    spin.advance(timedelta(hours=2))
    spin.advance(timedelta(hours=2))

    assert [e.pipeline_name for e in spin.executions("demo")] == ["Good"]
    skipped = [line for line in spin.timeline() if "is not scheduled" in line]
    assert len(skipped) == 1 and "demo/Bad" in skipped[0] and "'XYZ' is not a number" in skipped[0]


def test_h_with_a_step_is_fuzzed_as_text_with_echo_moduli() -> None:
    """CronExpressionFuzzer.java:88-107: H becomes abs(id.hashCode() % 59) (hours % 23), then Quartz parses
    ``<n>/15``. "a".hashCode() is 97: minute 97 % 59 = 38, hour 97 % 23 = 5."""
    hour = 3_600_000
    start = 0  # 1970-01-01 00:00 UTC is 1969-12-31 16:00 in Los Angeles
    minutes = {(t // 60_000) % 60 for t in fire_times("0 H/15 * * * ?", "a", start, start + hour)}
    assert minutes == {38, 53}  # Quartz: from minute 38, every 15 minutes up to 59
    (daily,) = fire_times("0 H H * * ?", "a", start, start + 24 * hour)
    assert (daily - start) // 60_000 == (5 + 24 - 16) % 24 * 60 + 38


@pytest.mark.parametrize("expression", ["0 75 * * * ?", "0 0/0 * * * ?", "0 x * * * ?", "* * *"])
def test_expressions_quartz_refuses_raise(expression: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        fire_times(expression, "id", 0, 3_600_000)


def test_a_window_that_never_opens_keeps_the_stage_running_until_the_seven_day_timeout() -> None:
    """RestrictExecutionDuringTimeWindow.java:123-167: RUNNING, re-checked, failed by the 7-day timeout."""
    window = {"days": [8], "whitelist": []}
    stage = wait("w", 1, restrictExecutionDuringTimeWindow=True, restrictedExecutionWindow=window)
    spin = Spinnaker()
    spin.save(pipeline("P", stage))
    started = spin.run("demo", "P")

    spin.advance(timedelta(days=6))
    assert spin.execution(started.id).status == "RUNNING"
    spin.advance(timedelta(days=1))
    run = spin.execution(started.id)
    assert run.status == "TERMINAL" and run.stages[0].status == "TERMINAL"
    assert run.error is not None and "timed out waiting for its execution window" in run.error
    assert any("never opens" in note for note in run.notes)
