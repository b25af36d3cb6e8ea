"""Applications planned and applied with their pipelines, through Gate's createApplication/updateApplication tasks."""

from __future__ import annotations

import pytest

from spinpromote import Application, ExpectedArtifact, GitHubFile, PromotionChain
from spinpromote.gate import ApplyError, GateClient, GateError
from spinpromote.planning import plan_application
from spinpromote.testing import FakeGate
from tests.gate.conftest import FAST_RETRY, pipeline_doc, typed

APP = "payments"
TEAM = Application(
    name=APP,
    email="payments@example.com",
    description="Payments service",
    permissions={"READ": ["payments-dev", "sre"], "WRITE": ["payments-dev"]},
)


def chain(spec: Application | None) -> PromotionChain:
    manifest = ExpectedArtifact(
        display_name="manifest",
        match=GitHubFile(path="k8s/app.yml", artifact_account="github"),
        default=GitHubFile(path="k8s/app.yml", repo="acme/payments", version="main", artifact_account="github"),
    )
    return PromotionChain(APP, artifact=manifest, application_spec=spec).deploy("staging", account="staging")


def test_the_model_spells_out_what_fiat_would_assume() -> None:
    assert TEAM.to_dict() == {
        "name": "payments",
        "email": "payments@example.com",
        "description": "Payments service",
        "cloudProviders": "kubernetes",
        "permissions": {"READ": ["payments-dev", "sre"], "WRITE": ["payments-dev"], "EXECUTE": ["payments-dev", "sre"]},
    }
    with pytest.raises(ValueError, match="email"):
        Application(name=APP, email=" ")
    with pytest.raises(ValueError, match="READ, WRITE and EXECUTE, not ADMIN"):
        Application(name=APP, email="a@b.c", permissions={"ADMIN": ["x"]})


def test_comparing_with_what_front50_returns() -> None:
    live = {
        "name": "PAYMENTS",  # front50 upper-cases names
        "email": "payments@example.com",
        "description": "Payments service",
        "cloudProviders": "kubernetes",
        "permissions": {"EXECUTE": ["sre", "payments-dev"], "READ": ["sre", "payments-dev"], "WRITE": ["payments-dev"]},
        "updateTs": "1700000000000",
        "trafficGuards": [],  # set elsewhere: left alone
    }
    assert plan_application(TEAM.to_dict(), live).action == "unchanged"
    unrestricted = {k: v for k, v in live.items() if k != "permissions"}
    change = plan_application(TEAM.to_dict(), unrestricted)
    assert change.action == "update" and [line.split(":")[0].strip() for line in change.diff] == ["~ permissions"]


def test_without_an_application_spec_a_missing_application_is_refused() -> None:
    with FakeGate(applications=[]) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(chain(None))
        assert plan.missing_applications == (APP,)
        with pytest.raises(GateError, match="do not exist in Spinnaker"):
            gate.apply(plan)
        assert fake.pipelines() == []


def test_an_application_is_created_with_permissions_then_updated() -> None:
    with FakeGate(applications=[]) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(chain(TEAM))
        assert [(c.action, c.name) for c in plan.applications] == [("create", APP)]
        assert plan.missing_applications == ()
        assert "Applications: 1 to create" in plan.summary()
        assert "+ create    application payments" in str(plan)

        result = gate.apply(plan)

        assert [c.name for c in result.applications_written] == [APP]
        live = gate.get_application(APP)
        assert live is not None
        attributes = live["attributes"]
        assert attributes["email"] == "payments@example.com"
        assert attributes["permissions"]["WRITE"] == ["payments-dev"]
        assert sorted(attributes["permissions"]["EXECUTE"]) == ["payments-dev", "sre"]
        assert [p["name"] for p in fake.pipelines(APP)] == ["Deploy to Staging"]
        assert gate.plan(chain(TEAM)).has_changes is False

        moved = Application(name=APP, email="pay-team@example.com", description="Payments service")
        update = gate.plan(chain(moved))
        assert [c.action for c in update.applications] == ["update"]
        assert update.count("unchanged") == 1
        gate.apply(update)
        after = gate.get_application(APP)
        assert after is not None and after["attributes"]["email"] == "pay-team@example.com"
        assert after["attributes"]["permissions"]["WRITE"] == ["payments-dev"]  # not given: left as they were


def test_applications_can_be_given_to_plan(fake: FakeGate) -> None:
    with GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(typed(pipeline_doc("Deploy", application=APP)), applications=[TEAM])
        assert [c.name for c in plan.applications] == [APP]


def test_a_refused_application_task_fails_its_pipelines_and_says_why() -> None:
    with FakeGate(applications=[]) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(chain(TEAM))
        fake.fail_next(500, method="POST", path="/tasks", times=1000)

        with pytest.raises(ApplyError) as caught:
            gate.apply(plan)

        assert fake.pipelines() == []
    statuses = [(o.change.name, o.status) for o in caught.value.result.outcomes]
    assert statuses == [(APP, "failed"), ("Deploy to Staging", "skipped")]
    assert "its application could not be written" in str(caught.value)
