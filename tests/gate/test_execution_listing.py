"""Executions listed and cancelled; a manual run whose artifacts bind to the pipeline's expected artifacts."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from typing import Any

import pytest

from spinpromote.gate import GateClient, GateError, GateHTTPError
from spinpromote.testing import FakeGate
from tests.conftest import ROOT
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc

GATED = [
    {"refId": "1", "type": "manualJudgment", "name": "Approve"},
    {"refId": "2", "requisiteStageRefIds": ["1"], "type": "wait", "name": "Soak", "waitTime": 1},
]
CHAIN_APP = "artifact-promotion-demo"
STAGING_BUILD = {
    "type": "github/file",
    "name": "manifests/demo.yml",
    "version": "3f1c2d9e",
    "reference": "https://api.github.com/repos/acme/demo/contents/manifests/demo.yml",
    "artifactAccount": "github",
}


@pytest.fixture
def gated() -> Iterator[tuple[FakeGate, GateClient]]:
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        # Without limitConcurrent, runs of one pipeline do not queue behind each other.
        fake.store(pipeline_doc("Release", stages=GATED, limitConcurrent=False))
        fake.store(pipeline_doc("Other", stages=GATED, limitConcurrent=False))
        yield fake, gate


def test_executions_are_listed_newest_first(gated: tuple[FakeGate, GateClient]) -> None:
    _, gate = gated
    runs = [gate.trigger(APP, "Release") for _ in range(3)]
    other = gate.trigger(APP, "Other")
    for run in [*runs, other]:
        gate.wait_for_execution(run, timeout=5, poll_interval=0.005, stop_at_judgment=True)

    listed = gate.executions(APP)
    of_release = gate.executions(APP, pipeline="Release", limit=2)

    assert {e.id for e in listed} == {*runs, other}
    starts = [e.start_time or 0 for e in listed]
    assert starts == sorted(starts, reverse=True)
    assert all(e.status == "RUNNING" for e in listed)
    assert len(of_release) == 2 and {e.name for e in of_release} == {"Release"}
    assert {e.id for e in of_release} <= set(runs)
    assert gate.executions(APP, statuses=["succeeded"]) == []
    with pytest.raises(GateError, match="has no pipeline 'Nope'"):
        gate.executions(APP, pipeline="Nope")


def test_cancel_is_asynchronous_and_ends_canceled(gated: tuple[FakeGate, GateClient]) -> None:
    _, gate = gated
    run = gate.trigger(APP, "Release")
    gate.wait_for_execution(run, timeout=5, poll_interval=0.005, stop_at_judgment=True)

    gate.cancel(run, reason="wrong build")
    gate.cancel(run, reason="wrong build")  # harmless twice
    ended = gate.wait_for_execution(run, timeout=5, poll_interval=0.005)

    assert ended.status == "CANCELED"
    assert gate.executions(APP, statuses=["CANCELED"])[0].id == run


def _apply_example(fake: FakeGate) -> None:
    chain = runpy.run_path(str(ROOT / "examples" / "artifact_promotion.py"))["chain"]
    with GateClient(fake.url, retry=FAST_RETRY) as gate:
        gate.apply(gate.plan(chain))


def _expected_id(fake: FakeGate) -> str:
    production = fake.pipeline(CHAIN_APP, "Deploy to Production")
    assert production is not None
    return str(production["expectedArtifacts"][0]["id"])


def test_a_manual_run_lists_the_expected_artifacts_its_artifacts_match(fake: FakeGate, gate: GateClient) -> None:
    _apply_example(fake)

    run = gate.trigger(CHAIN_APP, "Deploy to Production", artifacts=[STAGING_BUILD])

    trigger: dict[str, Any] = fake.executions[run]["trigger"]
    assert trigger["expectedArtifactIds"] == [_expected_id(fake)]
    assert STAGING_BUILD in trigger["artifacts"]


def test_a_manual_run_with_the_staging_artifact_binds_it(fake: FakeGate, gate: GateClient) -> None:
    _apply_example(fake)

    run = gate.trigger(CHAIN_APP, "Deploy to Production", artifacts=[STAGING_BUILD])

    execution = gate.get_execution(run)
    assert execution is not None
    (resolved,) = execution.data["trigger"]["resolvedExpectedArtifacts"]
    assert resolved["id"] == _expected_id(fake)
    assert resolved["boundArtifact"]["version"] == "3f1c2d9e"


def test_an_artifact_that_matches_no_listed_expected_artifact_is_refused_by_orca(
    fake: FakeGate, gate: GateClient
) -> None:
    _apply_example(fake)
    unrelated = {**STAGING_BUILD, "name": "manifests/other.yml"}

    with pytest.raises(GateHTTPError) as caught:
        gate.trigger(
            CHAIN_APP, "Deploy to Production", artifacts=[unrelated], expected_artifact_ids=[_expected_id(fake)]
        )

    assert caught.value.status == 400
    assert "Unmatched expected artifact" in str(caught.value.gate_message)
