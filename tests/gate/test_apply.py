"""Apply against FakeGate: the contract, ordering, concurrency, staleCheck, ambiguous outcomes, prune."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from spinpromote import Pipeline
from spinpromote.gate import (
    OWNERSHIP_KEY,
    ApplyError,
    ApplyEvent,
    BasicAuth,
    GateClient,
    GateStaleError,
    RetryPolicy,
)
from spinpromote.planning import canonical, comparable
from spinpromote.testing import FakeGate, FaultKind
from tests.gate.conftest import APP, FAST_RETRY, contract_chain, pipeline_doc, typed


def stored_as_desired(fake: FakeGate, documents: list[dict[str, Any]], owner: str = "default") -> bool:
    """True when the fake holds exactly these documents (plus the ownership marker), nothing else."""
    expected = sorted(canonical(comparable({**d, OWNERSHIP_KEY: {"owner": owner}})) for d in documents)
    return sorted(canonical(comparable(d)) for d in fake.pipelines()) == expected


def test_the_contract_works_against_fakegate(capsys: pytest.CaptureFixture[str]) -> None:
    chain = contract_chain()
    with FakeGate(users={"alice": "secret"}) as fake:
        with GateClient(fake.url, auth=BasicAuth("alice", "secret")) as gate:
            plan = gate.plan(chain)  # a PromotionChain, a Pipeline, or a list of Pipelines
            print(plan)  # readable, stage-level diff of each pipeline against what is live
            result = gate.apply(plan)  # writes only what changed
            live = gate.list_pipelines("artifact-promotion-demo")  # list[Pipeline]

            assert [(c.action, c.name) for c in plan.changes] == [
                ("create", "Deploy to Staging"),
                ("create", "Staging Judgement"),
                ("create", "Deploy to Production"),
            ]
            assert plan.has_changes is True
            assert "Plan: 3 to create" in capsys.readouterr().out
            assert [c.name for c in result.written] == [c.name for c in plan.changes]
            assert sorted(p.name for p in live) == ["Deploy to Production", "Deploy to Staging", "Staging Judgement"]
            assert stored_as_desired(fake, chain.render())

            fake.clear_requests()
            again = gate.plan(chain)
            assert again.has_changes is False
            assert {c.action for c in again.changes} == {"unchanged"}
            assert gate.apply(again).written == ()
            assert [(r.method, r.path) for r in fake.requests] == [
                ("GET", "/applications/artifact-promotion-demo/pipelineConfigs")
            ]


def test_live_pipelines_are_adopted_and_downstream_triggers_follow(fake: FakeGate, gate: GateClient) -> None:
    chain = contract_chain()
    fake.store({**chain.render()[0], "id": "made-in-deck"})  # the staging pipeline exists already

    gate.apply(gate.plan(chain))

    judgment = fake.pipeline("artifact-promotion-demo", "Staging Judgement")
    assert judgment is not None and judgment["triggers"][0]["pipeline"] == "made-in-deck"
    assert len(fake.pipelines()) == 3


def test_upstream_first_and_independent_pipelines_in_parallel() -> None:
    chain = [pipeline_doc("Build"), pipeline_doc("Test", upstream="Build"), pipeline_doc("Ship", upstream="Test")]
    independent = [pipeline_doc(f"Service {n}") for n in range(8)]
    events: list[ApplyEvent] = []
    with FakeGate(save_latency=0.05) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        gate.apply(gate.plan(typed(*chain, *independent)), on_progress=events.append)
        parallel = fake.max_in_flight
        fake.clear_requests()
        gate.apply(gate.plan(typed(*(pipeline_doc(d["name"], wait_time=1) for d in independent))), concurrency=2)
        bounded = fake.max_in_flight

    order = [(e.kind, e.change.name) for e in events if e.change.name in ("Build", "Test", "Ship")]
    assert order == [
        ("started", "Build"),
        ("written", "Build"),
        ("started", "Test"),
        ("written", "Test"),
        ("started", "Ship"),
        ("written", "Ship"),
    ]
    assert parallel == 4  # the default bound, reached
    assert bounded == 2
    finished = [e for e in events if e.kind != "started"]
    assert [e.done for e in finished] == list(range(1, 12)) and {e.total for e in events} == {11}


def test_unchanged_pipelines_are_not_written(fake: FakeGate, gate: GateClient) -> None:
    documents = [pipeline_doc("A"), pipeline_doc("B", upstream="A")]
    gate.apply(gate.plan(typed(*documents)))
    fake.clear_requests()

    plan = gate.plan(typed(documents[0], pipeline_doc("B", upstream="A", wait_time=99)))
    result = gate.apply(plan)

    assert [(c.name, c.action) for c in plan.changes] == [("A", "unchanged"), ("B", "update")]
    assert [c.name for c in result.written] == ["B"]
    assert fake.count("POST", "/pipelines") == 1


def test_a_ui_edit_made_after_the_plan_is_not_overwritten(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Deploy"))))
    plan = gate.plan(typed(pipeline_doc("Deploy", wait_time=60)))
    fake.edit(APP, "Deploy", lambda doc: doc.update(description="hotfix made in Deck"))

    with pytest.raises(ApplyError) as caught:
        gate.apply(plan)

    (failure,) = caught.value.result.failed
    assert isinstance(failure.error, GateStaleError)
    assert "changed in Spinnaker after the plan read it (by deck-user, at 20" in str(caught.value)
    assert "plan again" in str(caught.value)
    assert failure.error.changed_by == "deck-user"
    assert fake.count("POST", "/pipelines") == 1  # only the first apply's: the re-read refused the second
    stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and stored["description"] == "hotfix made in Deck"
    assert stored["stages"][0]["waitTime"] == 30

    replan = gate.plan(typed(pipeline_doc("Deploy", wait_time=60)))  # the edit now shows in the diff
    assert '- description: "hotfix made in Deck"' in str(replan)
    gate.apply(replan)
    assert stored_as_desired(fake, [pipeline_doc("Deploy", wait_time=60)])


def test_a_failure_part_way_is_reported_and_a_new_plan_converges(fake: FakeGate, gate: GateClient) -> None:
    documents = [pipeline_doc("A"), pipeline_doc("B", upstream="A"), pipeline_doc("C"), pipeline_doc("D")]
    plan = gate.plan(typed(*documents))
    fake.store({**pipeline_doc("a"), "id": "made-in-deck"})  # someone creates "a" in Deck meanwhile

    with pytest.raises(ApplyError) as caught:
        gate.apply(plan)

    result = caught.value.result
    assert [(o.change.name, o.status) for o in result.outcomes] == [
        ("A", "failed"),
        ("B", "skipped"),
        ("C", "written"),
        ("D", "written"),
    ]
    assert isinstance(result.failed[0].error, GateStaleError)  # refused before any save was sent
    assert "'A' in 'demo' was created in Spinnaker after the plan (by deck-user" in str(caught.value)
    assert "Fix the failures, then plan and apply again" in str(caught.value)

    gate.apply(gate.plan(typed(*documents)))
    b = fake.pipeline(APP, "B")
    assert b is not None and b["triggers"][0]["pipeline"] == "made-in-deck"
    assert sorted(p["name"] for p in fake.pipelines()) == ["A", "B", "C", "D"]


def test_applying_the_same_plan_again_converges(fake: FakeGate) -> None:
    old = [pipeline_doc(name) for name in "XYZ"]
    new = [pipeline_doc(name, wait_time=5) for name in "XYZ"]
    with GateClient(fake.url, retry=FAST_RETRY) as gate:
        gate.apply(gate.plan(typed(*old)))
        plan = gate.plan(typed(*new))
        fake.fail_next(503, times=FAST_RETRY.attempts, method="POST")  # Y's every attempt fails

        with pytest.raises(ApplyError) as caught:
            gate.apply(plan, concurrency=1)
        assert [o.status for o in caught.value.result.outcomes] == ["failed", "written", "written"]

        result = gate.apply(plan)  # the same plan: X is done already, its stale fingerprint is recognised

    assert [c.name for c in result.written] == ["X", "Y", "Z"]
    assert stored_as_desired(fake, new)


@pytest.mark.parametrize(
    ("kind", "after"),
    [("drop", True), ("drop", False), ("running", True), ("running", False), (504, True), (502, False)],
)
@pytest.mark.parametrize("read_lag", [0.0, 0.02])
def test_an_ambiguous_save_is_resolved_by_reading_back(kind: FaultKind, after: bool, read_lag: float) -> None:
    patient = RetryPolicy(attempts=12, backoff=0.005, max_backoff=0.02)  # outlasts the read lag
    with FakeGate(read_lag=read_lag) as fake, GateClient(fake.url, retry=patient) as gate:
        gate.apply(gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("New"))))
        fake.fail_next(kind, method="POST", path="/pipelines", after=after, times=2)

        result = gate.apply(gate.plan(typed(pipeline_doc("Deploy", wait_time=7), pipeline_doc("New", wait_time=7))))

        assert [c.name for c in result.written] == ["Deploy", "New"]
        assert stored_as_desired(fake, [pipeline_doc("Deploy", wait_time=7), pipeline_doc("New", wait_time=7)])


def test_prune_deletes_only_owned_pipelines_no_longer_desired(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Keep"), pipeline_doc("Retire"))))
    gate.apply(gate.plan(typed(pipeline_doc("Theirs")), owner="team-b"))
    fake.store(pipeline_doc("Hand made"))

    plan = gate.plan(typed(pipeline_doc("Keep")), prune=True)
    result = gate.apply(plan)

    assert [(c.name, c.action) for c in plan.changes] == [("Keep", "unchanged"), ("Retire", "delete")]
    assert [c.name for c in result.deleted] == ["Retire"]
    assert sorted(p["name"] for p in fake.pipelines()) == ["Hand made", "Keep", "Theirs"]
    assert fake.count("DELETE") == 1


def test_prune_leaves_a_pipeline_edited_after_the_plan(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Keep"), pipeline_doc("Retire"))))
    plan = gate.plan(typed(pipeline_doc("Keep")), prune=True)
    fake.edit(APP, "Retire", lambda doc: doc.update(description="still needed!"))

    with pytest.raises(ApplyError, match="'Retire' in 'demo' was changed in Spinnaker after the plan read it"):
        gate.apply(plan)

    assert fake.pipeline(APP, "Retire") is not None
    assert fake.count("DELETE") == 0


def test_prune_waits_until_every_write_succeeded(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Keep"), pipeline_doc("Retire"))))
    plan = gate.plan(typed(pipeline_doc("Keep", wait_time=1)), prune=True)
    fake.edit(APP, "Keep", lambda doc: doc.update(description="edited"))

    with pytest.raises(ApplyError) as caught:
        gate.apply(plan)

    assert [(o.change.name, o.status) for o in caught.value.result.outcomes] == [
        ("Keep", "failed"),
        ("Retire", "skipped"),
    ]
    assert fake.pipeline(APP, "Retire") is not None


def test_save_pipeline_adopts_the_live_id_and_supports_stale_check(fake: FakeGate, gate: GateClient) -> None:
    live_id = fake.store({**pipeline_doc("Deploy"), "id": "made-in-deck"})["id"]
    without_id = {k: v for k, v in pipeline_doc("deploy", description="from a script").items() if k != "id"}

    assert gate.save_pipeline(without_id) == live_id
    read = gate.get_pipeline(APP, "deploy")
    assert read is not None and read.id == live_id and OWNERSHIP_KEY not in read.to_dict()

    fake.edit(APP, "deploy", lambda doc: doc.update(disabled=True))
    with pytest.raises(GateStaleError):
        gate.save_pipeline(attrs.evolve(read, description="overwrites the edit?"), stale_check=True)
    assert len(fake.pipelines()) == 1

    gate.delete_pipeline(APP, " DEPLOY ")
    assert fake.pipelines() == []


def test_a_save_that_landed_on_its_last_attempt_counts_as_done(fake: FakeGate) -> None:
    fake.fail_next("drop", method="POST", path="/pipelines", after=True)

    with GateClient(fake.url, retry=RetryPolicy(attempts=1)) as gate:
        pipeline_id = gate.save_pipeline(pipeline_doc("Deploy"))

    assert [p["id"] for p in fake.pipelines()] == [pipeline_id]
    assert fake.count("POST", "/pipelines") == 1


def test_a_planned_rename_is_applied_and_a_second_apply_recognises_it(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan([Pipeline(application=APP, name="Old", id="fixed-id")]))
    plan = gate.plan([Pipeline(application=APP, name="New", id="fixed-id")])
    assert [(c.action, c.name) for c in plan.changes] == [("update", "New")]

    result = gate.apply(plan)

    assert [c.name for c in result.written] == ["New"]
    assert [(p["name"], p["id"]) for p in fake.pipelines()] == [("New", "fixed-id")]
    again = gate.apply(plan)  # the same saved plan, applied twice: the rename is already there
    assert again.failed == () and [o.reason for o in again.outcomes] == ["already saved by an earlier apply"]


def test_a_planned_rename_of_a_pipeline_deleted_meanwhile_is_refused(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan([Pipeline(application=APP, name="Old", id="fixed-id")]))
    plan = gate.plan([Pipeline(application=APP, name="New", id="fixed-id")])
    fake.spinnaker.front50.delete(APP, "Old")

    with pytest.raises(ApplyError, match="'New' in 'demo' was deleted in Spinnaker after the plan read it"):
        gate.apply(plan)
    assert fake.pipelines() == []
