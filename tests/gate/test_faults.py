"""With 30% of requests failing transiently, apply still ends with exactly the desired pipelines."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote.gate import GateClient, Plan, RetryPolicy
from spinpromote.planning import canonical, comparable, name_key
from spinpromote.testing import FakeGate, Faults
from tests.gate.conftest import APP, pipeline_doc, typed

FAULTS = Faults(rate=0.3, kinds=(502, 503, 429, "drop"), after_processing=0.5)
# Enough attempts that 30% failures essentially never exhaust them (0.3**15 per call), with tiny waits.
PATIENT = RetryPolicy(attempts=15, backoff=0.001, max_backoff=0.01)


def desired(wait_time: int) -> list[dict[str, Any]]:
    """50 pipelines in 10 chains of 5, each triggered by the one before it."""
    documents = []
    for chain in range(10):
        for step in range(5):
            upstream = f"chain {chain} step {step - 1}" if step else None
            documents.append(pipeline_doc(f"chain {chain} step {step}", upstream=upstream, wait_time=wait_time))
    return documents


def assert_exactly_applied(fake: FakeGate, plan: Plan, unrelated: set[str]) -> None:
    stored = fake.pipelines(APP)
    keys = [name_key(APP, doc["name"]) for doc in stored]
    assert len(keys) == len(set(keys)), "a pipeline name is stored twice"
    assert {doc["name"] for doc in stored} == {change.name for change in plan.changes} | unrelated
    by_name = {doc["name"]: doc for doc in stored}
    ids = {doc["name"]: doc["id"] for doc in stored}
    for change in plan.changes:
        assert change.body is not None
        live = by_name[change.name]
        assert live["id"] == change.id
        assert canonical(comparable(live)) == canonical(comparable(change.body)), change.name
        for trigger in live["triggers"]:  # every pipeline trigger points at the stored upstream
            assert trigger["pipeline"] in ids.values()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_apply_under_transient_faults_stores_exactly_the_desired_set(seed: int) -> None:
    with FakeGate(seed=seed) as fake, GateClient(fake.url, retry=PATIENT) as gate:
        # Live before: two pipelines made in Deck (one to adopt by name, one unrelated).
        fake.store({**pipeline_doc("Chain 3 Step 0"), "id": "made-in-deck"})
        fake.store(pipeline_doc("hand made"))
        fake.faults = FAULTS

        created = gate.plan(typed(*desired(wait_time=30)))
        result = gate.apply(created)

        fake.faults = Faults()
        assert result.ok and len(result.written) == 50
        assert_exactly_applied(fake, created, {"hand made"})
        assert fake.pipeline(APP, "chain 3 step 0")["id"] == "made-in-deck"  # type: ignore[index]

        # Second round: every pipeline changes; updates go through staleCheck, under the same faults.
        fake.faults = FAULTS
        updated = gate.plan(typed(*desired(wait_time=45)))
        gate.apply(updated)
        fake.faults = Faults()

        assert [change.action for change in updated.changes] == ["update"] * 50
        assert_exactly_applied(fake, updated, {"hand made"})
        faults = [request.fault for request in fake.requests if request.fault]
        assert len(faults) > 0.15 * len(fake.requests)  # the faults really happened, of every kind
        assert set(faults) == {"502", "503", "429", "drop"}
