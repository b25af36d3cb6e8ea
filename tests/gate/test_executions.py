"""Run a pipeline, wait for it with progress, and answer its Manual Judgment from a script."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from spinpromote.gate import Execution, GateClient, GateError, GateHTTPError, GateTimeout, WaitDeadlineExceeded
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc

STAGES = [
    {"refId": "1", "type": "wait", "name": "Deploy", "waitTime": 1},
    {"refId": "2", "requisiteStageRefIds": ["1"], "type": "manualJudgment", "name": "Approve",
     "judgmentInputs": [{"value": "ship it"}]},
    {"refId": "3", "requisiteStageRefIds": ["2"], "type": "wait", "name": "Promote", "waitTime": 1},
]  # fmt: skip


# A Wait stage ends when simulated time has moved by its waitTime (WaitTask.java); FakeGate moves it only
# through advance(), so these tests move it on when they need the 1 s wait done.
SECOND = timedelta(seconds=1)


@pytest.fixture
def running() -> Iterator[tuple[FakeGate, GateClient]]:
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store(
            pipeline_doc(
                "Release",
                stages=STAGES,
                parameterConfig=[{"name": "tag", "required": True}, {"name": "region", "default": "eu"}],
            )
        )
        yield fake, gate


def test_trigger_wait_judge_and_finish(running: tuple[FakeGate, GateClient]) -> None:
    fake, gate = running
    seen: list[Execution] = []

    def progress(execution: Execution) -> None:
        seen.append(execution)
        fake.advance(SECOND)  # each Wait then ends before the next poll

    run_id = gate.trigger(APP, "Release", parameters={"tag": "v1.2.3"})
    paused = gate.wait_for_execution(
        run_id, timeout=5, poll_interval=0.005, on_progress=progress, stop_at_judgment=True
    )
    pending = paused.pending_judgment
    assert pending is not None and pending.name == "Approve"
    judged = gate.judge(run_id, "continue", judgment_input="ship it")
    done = gate.wait_for_execution(run_id, timeout=5, poll_interval=0.005, on_progress=progress)

    assert judged is not None and judged.pending_judgment is None
    assert done.succeeded and done.is_complete
    assert [stage.status for stage in done.stages] == ["SUCCEEDED"] * 3
    trigger = fake.executions[run_id]["trigger"]
    assert trigger["type"] == "manual" and trigger["parameters"] == {"tag": "v1.2.3", "region": "eu"}
    assert fake.executions[run_id]["stages"][1]["context"]["judgmentInput"] == "ship it"
    keys = [execution.progress_key() for execution in seen]
    assert len(keys) == len(set(keys)) >= 3  # reported on every change, and only on changes
    assert seen[0].stages[0].status == "RUNNING" and seen[-1].status == "SUCCEEDED"


def test_stopping_at_the_judgment_ends_the_execution(running: tuple[FakeGate, GateClient]) -> None:
    fake, gate = running
    run_id = gate.trigger(APP, "Release", parameters={"tag": "v1"})
    fake.advance(SECOND)
    gate.wait_for_execution(run_id, timeout=5, poll_interval=0.005, stop_at_judgment=True)

    gate.judge(run_id, "stop")
    done = gate.wait_for_execution(run_id, timeout=5, poll_interval=0.005)

    assert done.status == "TERMINAL" and not done.succeeded
    with pytest.raises(GateError, match="no Manual Judgment waiting"):
        gate.judge(run_id, "continue")


def test_waiting_has_a_deadline_that_is_not_a_gate_timeout(running: tuple[FakeGate, GateClient]) -> None:
    """Gate answered every poll: the deadline of the wait passed, which is no failure to talk to Gate."""
    fake, gate = running
    run_id = gate.trigger(APP, "Release", parameters={"tag": "v1"})
    fake.advance(SECOND)

    with pytest.raises(WaitDeadlineExceeded, match=r"did not finish within 0.2 s .*Approve=RUNNING") as caught:
        gate.wait_for_execution(run_id, timeout=0.2, poll_interval=0.01)

    assert not isinstance(caught.value, (GateTimeout, GateError))
    assert caught.value.execution_id == run_id
    assert caught.value.execution is not None and caught.value.execution.pending_judgment is not None


def test_judge_requires_the_decision(running: tuple[FakeGate, GateClient]) -> None:
    """Forgetting the decision must not approve a production deploy."""
    fake, gate = running
    run_id = gate.trigger(APP, "Release", parameters={"tag": "v1"})
    fake.advance(SECOND)
    gate.wait_for_execution(run_id, timeout=5, poll_interval=0.005, stop_at_judgment=True)

    with pytest.raises(TypeError, match="decision"):
        gate.judge(run_id)  # type: ignore[call-arg]
    assert gate.get_execution(run_id).pending_judgment is not None  # type: ignore[union-attr]


def test_trigger_errors_carry_gates_message(running: tuple[FakeGate, GateClient]) -> None:
    _, gate = running

    with pytest.raises(GateHTTPError) as missing_parameter:
        gate.trigger(APP, "Release")
    with pytest.raises(GateHTTPError) as missing_pipeline:
        gate.trigger(APP, "Nope")

    assert missing_parameter.value.status == 400
    assert "Required parameter tag is missing" in str(missing_parameter.value.gate_message)
    assert missing_pipeline.value.status == 404


def test_a_trigger_is_not_repeated_after_an_ambiguous_failure(running: tuple[FakeGate, GateClient]) -> None:
    fake, gate = running
    fake.fail_next(502, method="POST", after=True)

    with pytest.raises(GateHTTPError):
        gate.trigger(APP, "Release", parameters={"tag": "v1"})

    assert len(fake.executions) == 1  # it did start; a retry would have started a second run
    assert fake.count("POST", f"/pipelines/{APP}/Release") == 1


def test_a_rate_limited_trigger_is_retried_once_gate_allows_it(running: tuple[FakeGate, GateClient]) -> None:
    fake, gate = running
    fake.fail_next(429, method="POST")

    run_id = gate.trigger(APP, "Release", parameters={"tag": "v1"})

    assert list(fake.executions) == [run_id]


def test_an_unknown_execution_is_none_and_a_decision_must_be_continue_or_stop(
    running: tuple[FakeGate, GateClient],
) -> None:
    _, gate = running

    assert gate.get_execution("01UNKNOWN") is None
    with pytest.raises(ValueError, match="continue"):
        gate.judge("01UNKNOWN", "approve")  # type: ignore[arg-type]
