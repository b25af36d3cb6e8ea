"""Apply never loses an edit: each pipeline is re-read just before it is written and compared with the plan.

FakeGate's front50 behaves as released Spinnaker does by default: ``staleCheck=true`` is inert, so every
refusal here comes from the client's own check; one test turns front50's repaired check on to show that
both layers agree, and one shows the window that remains between the re-read and the save.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from spinpromote.gate import OWNERSHIP_KEY, ApplyError, GateClient, GateStaleError, Plan
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc, typed

LIST = f"/applications/{APP}/pipelineConfigs"


def test_a_ui_edit_between_plan_and_apply_is_refused_and_kept(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("Other"))))
    plan = gate.plan(typed(pipeline_doc("Deploy", wait_time=60), pipeline_doc("Other", wait_time=60)))
    edited = fake.edit(APP, "Deploy", lambda doc: doc.update(description="hotfix"), user="carol")
    fake.clear_requests()

    with pytest.raises(ApplyError) as caught:
        gate.apply(plan)

    result = caught.value.result
    assert [(o.change.name, o.status) for o in result.outcomes] == [("Deploy", "failed"), ("Other", "written")]
    error = result.failed[0].error
    assert isinstance(error, GateStaleError)
    assert (error.changed_by, error.changed_at) == ("carol", edited["updateTs"])
    assert "by carol, at 20" in str(error) and "plan again" in str(error)
    stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and stored["description"] == "hotfix" and stored["stages"][0]["waitTime"] == 30
    # One re-read per pipeline before writing it; nothing was sent for the refused one.
    saves = [r for r in fake.requests if r.method == "POST"]
    assert len(saves) == 1


def test_two_racing_creates_the_second_is_refused() -> None:
    with FakeGate() as fake:
        with GateClient(fake.url, retry=FAST_RETRY) as first, GateClient(fake.url, retry=FAST_RETRY) as second:
            ours = first.plan(typed(pipeline_doc("Deploy", wait_time=10)), owner="team-a")
            theirs = second.plan(typed(pipeline_doc("Deploy", wait_time=20)), owner="team-b")
            assert [c.action for c in ours.changes] == [c.action for c in theirs.changes] == ["create"]

            first.apply(ours)
            with pytest.raises(ApplyError) as caught:
                second.apply(theirs)

        stored = fake.pipeline(APP, "Deploy")
    (failure,) = caught.value.result.failed
    assert isinstance(failure.error, GateStaleError)
    assert "was created in Spinnaker after the plan" in str(failure.error)
    assert stored is not None and stored["stages"][0]["waitTime"] == 10
    assert stored[OWNERSHIP_KEY] == {"owner": "team-a"}  # the first apply's ownership marker is kept


def test_a_pipeline_deleted_after_the_plan_is_not_recreated(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Deploy"))))
    plan = gate.plan(typed(pipeline_doc("Deploy", wait_time=60)))
    gate.delete_pipeline(APP, "Deploy")

    with pytest.raises(ApplyError, match="was deleted in Spinnaker after the plan read it"):
        gate.apply(plan)

    assert fake.pipelines() == []


def test_applying_again_recognises_what_an_earlier_apply_wrote(fake: FakeGate, gate: GateClient) -> None:
    plan = gate.plan(typed(pipeline_doc("A"), pipeline_doc("B")))
    gate.apply(plan)
    fake.clear_requests()

    result = gate.apply(plan)  # the same plan: both pipelines moved on since it was read, to what it wanted

    assert [c.name for c in result.written] == ["A", "B"]
    assert fake.count("POST") == 0


def test_a_saved_plan_is_applied_exactly_and_refused_after_a_live_change(
    fake: FakeGate, gate: GateClient, tmp_path: Any
) -> None:
    gate.apply(gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("Verify", upstream="Deploy"))))
    saved = tmp_path / "plan.json"
    saved.write_text(gate.plan(typed(pipeline_doc("Deploy", wait_time=5), pipeline_doc("Verify"))).to_json())
    stale = tmp_path / "stale.json"
    stale.write_text(saved.read_text())

    plan = Plan.from_json(saved.read_text())
    assert [(c.name, c.action) for c in plan.changes] == [("Deploy", "update"), ("Verify", "update")]
    gate.apply(plan)
    deploy, verify = fake.pipeline(APP, "Deploy"), fake.pipeline(APP, "Verify")
    assert deploy is not None and deploy["stages"][0]["waitTime"] == 5
    assert verify is not None and verify["triggers"] == []

    fake.edit(APP, "Verify", lambda doc: doc.update(description="changed since"))
    with pytest.raises(ApplyError) as caught:
        gate.apply(Plan.from_json(stale.read_text()))
    statuses = {o.change.name: o.status for o in caught.value.result.outcomes}
    assert statuses == {"Deploy": "written", "Verify": "failed"}  # Deploy already is what the plan wants


def test_a_saved_plan_that_is_not_one_names_the_json_path() -> None:
    with pytest.raises(ValueError, match=r"\$\.changes\[0\]\.action"):
        Plan.from_json('{"format": "spinpromote-plan/1", "owner": "x", "changes": [{"action": "explode"}]}')
    with pytest.raises(ValueError, match="not a saved spinpromote plan"):
        Plan.from_json("[]")


class EditBeforeTheSave(requests.Session):
    """A real session that lets a Deck user save the pipeline right before the client's save is sent:
    the window between apply's re-read and its save, made to happen."""

    def __init__(self, fake: FakeGate) -> None:
        super().__init__()
        self.fake = fake

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if method == "POST" and str(url).endswith("/pipelines") and not getattr(self, "edited", False):
            self.edited = True
            self.fake.edit(APP, "Deploy", lambda doc: doc.update(description="saved in the window"))
        return super().request(method, url, *args, **kwargs)


def _race_in_the_window(fake: FakeGate) -> tuple[GateClient, Plan]:
    with GateClient(fake.url, retry=FAST_RETRY) as gate:
        gate.apply(gate.plan(typed(pipeline_doc("Deploy"))))
        plan = gate.plan(typed(pipeline_doc("Deploy", wait_time=60)))
    return GateClient(fake.url, retry=FAST_RETRY, session=EditBeforeTheSave(fake)), plan


def test_the_window_between_re_read_and_save_remains_with_front50s_default() -> None:
    """Documented in docs/gate.md: an edit saved within one request round trip of apply's save is lost."""
    with FakeGate() as fake:
        gate, plan = _race_in_the_window(fake)
        with gate:
            gate.apply(plan)
        stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and "description" not in stored and stored["stages"][0]["waitTime"] == 60


def test_front50s_repaired_stale_check_and_the_client_agree() -> None:
    """Where the operator enabled front50's check, it closes the window, and apply reports it the same way."""
    with FakeGate(stale_check=True) as fake:  # type: ignore[call-arg]
        with GateClient(fake.url, retry=FAST_RETRY) as gate:  # the updateTs apply sends passes the check
            gate.apply(gate.plan(typed(pipeline_doc("Other"))))
            gate.apply(gate.plan(typed(pipeline_doc("Other", wait_time=1))))
            other = fake.pipeline(APP, "Other")
            assert other is not None and other["stages"][0]["waitTime"] == 1
            plan = gate.plan(typed(pipeline_doc("Other", wait_time=2)))
            fake.edit(APP, "Other", lambda doc: doc.update(description="edited"))
            with pytest.raises(ApplyError, match="changed in Spinnaker after the plan read it"):
                gate.apply(plan)  # refused by the client's re-read: nothing sent
            with pytest.raises(GateStaleError):  # the same refusal from front50 itself
                gate.post_pipeline(
                    {**plan.changes[0].body, "updateTs": plan.changes[0].read_update_ts}, stale_check=True
                )  # type: ignore[dict-item]

        racing, window_plan = _race_in_the_window(fake)
        with racing, pytest.raises(ApplyError) as caught:
            racing.apply(window_plan)
        stored = fake.pipeline(APP, "Deploy")
    (failure,) = caught.value.result.failed
    assert isinstance(failure.error, GateStaleError)
    assert "changed in Spinnaker after the plan read it (by deck-user" in str(failure.error)
    assert stored is not None and stored["description"] == "saved in the window"
