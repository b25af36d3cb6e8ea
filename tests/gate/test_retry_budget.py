"""Retries that do not multiply: one budget per operation, shared by a save and the reads that confirm it."""

from __future__ import annotations

import time

import pytest

from spinpromote.gate import ApplyError, GateClient, GateHTTPError, RetryPolicy
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc, typed

LIST = f"/applications/{APP}/pipelineConfigs"


@pytest.mark.parametrize("action", ["create", "update"])
def test_a_save_failing_with_503_forever_costs_the_policys_attempts(action: str) -> None:
    policy = RetryPolicy(attempts=4, backoff=0.001, max_backoff=0.005)
    with FakeGate() as fake, GateClient(fake.url, retry=policy) as gate:
        if action == "update":
            gate.apply(gate.plan(typed(pipeline_doc("Deploy"))))
        plan = gate.plan(typed(pipeline_doc("Deploy", wait_time=99)))
        fake.clear_requests()
        fake.fail_next(503, method="POST", path="/pipelines", times=1000)

        with pytest.raises(ApplyError) as caught:
            gate.apply(plan)

        saves = fake.count("POST", "/pipelines")
        reads = fake.count("GET", LIST)
    (failure,) = caught.value.result.failed
    assert isinstance(failure.error, GateHTTPError) and failure.error.status == 503
    assert saves == policy.attempts  # not attempts x attempts
    assert reads == 1 + policy.attempts  # the re-read before, and after each failed save: did it land anyway?


def test_read_after_write_lag_spends_the_same_budget() -> None:
    policy = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.005)
    with FakeGate(read_lag=30) as fake, GateClient(fake.url, retry=policy) as gate:
        plan = gate.plan(typed(pipeline_doc("Deploy")))
        fake.clear_requests()

        with pytest.raises(ApplyError, match="does not show it as saved after 3 read"):
            gate.apply(plan)

        assert fake.count("POST", "/pipelines") == 1
        assert fake.count("GET", LIST) == 1 + 3


def test_a_request_stops_at_its_deadline() -> None:
    patient_but_bounded = RetryPolicy(attempts=1000, backoff=0.05, max_backoff=0.05, deadline=0.3)
    with FakeGate() as fake, GateClient(fake.url, retry=patient_but_bounded) as gate:
        fake.fail_next(503, method="GET", times=100_000)
        started = time.monotonic()
        with pytest.raises(GateHTTPError):
            gate.list_pipeline_configs(APP)
        elapsed = time.monotonic() - started
        tries = fake.count("GET")
    assert elapsed < 1.5
    assert 2 <= tries < 1000


def test_an_apply_stops_starting_changes_at_its_deadline() -> None:
    with FakeGate(save_latency=0.15) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(typed(*(pipeline_doc(f"Service {n}") for n in range(6))))
        with pytest.raises(ApplyError) as caught:
            gate.apply(plan, concurrency=1, deadline=0.25)
        stored = len(fake.pipelines(APP))

    outcomes = caught.value.result.outcomes
    written = [o for o in outcomes if o.status == "written"]
    late = [o for o in outcomes if o.status == "skipped"]
    assert 1 <= len(written) <= 3 and len(written) + len(late) == 6
    assert stored == len(written)
    assert all(o.reason == "the apply's deadline passed before it started" for o in late)
