"""The operations FakeGate delegates to, in Gate's words (gate-web PipelineController.groovy; orca TaskController)."""

from __future__ import annotations

import pytest

from spinpromote.sim import Spinnaker, SpinnakerAnswer
from tests.sim._build import judgment, pipeline, wait


def test_trigger_returns_the_execution_id_and_404_for_unknown_pipelines() -> None:
    """POST /pipelines/{app}/{nameOrId}: by name (case-sensitive), then by id; 202 {ref} carries the id."""
    spin = Spinnaker()
    spin.save(pipeline("Deploy", wait("w")))
    by_name = spin.trigger("demo", "Deploy")
    by_id = spin.trigger("demo", "id-Deploy")
    assert spin.execution_json(by_name)["name"] == spin.execution_json(by_id)["name"] == "Deploy"
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.trigger("demo", "deploy")
    assert caught.value.status == 404


def test_required_parameter_missing_is_400() -> None:
    """Gate fails before orca: 'Required parameter X is missing'."""
    spin = Spinnaker()
    spin.save({**pipeline("Deploy", wait("w")), "parameterConfig": [{"name": "env", "required": True}]})
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.trigger("demo", "Deploy")
    assert caught.value.status == 400 and caught.value.message.endswith("Required parameter env is missing")
    assert spin.execution_json(spin.trigger("demo", "Deploy", {"parameters": {"env": "qa"}}))["trigger"][
        "parameters"
    ] == {"env": "qa"}


def test_patch_answers_at_once_and_applies_on_the_next_step() -> None:
    """PATCH /pipelines/{id}/stages/{stageId} merges the body and returns the execution, stage still RUNNING."""
    spin = Spinnaker()
    spin.save(pipeline("Gate", judgment("Approve")))
    execution_id = spin.trigger("demo", "Gate")
    spin.settle()
    stage_id = spin.execution_json(execution_id)["stages"][0]["id"]

    answer = spin.patch_stage(execution_id, stage_id, {"judgmentStatus": "continue"}, user="alice")

    assert answer["stages"][0]["status"] == "RUNNING"
    assert answer["stages"][0]["context"]["judgmentStatus"] == "continue"
    spin.settle()
    assert spin.execution_json(execution_id)["status"] == "SUCCEEDED"
    assert spin.execution_json(execution_id)["stages"][0]["context"]["lastModifiedBy"] == "alice"


def test_unknown_execution_is_404() -> None:
    """GET /pipelines/{id}: orca's 404 'Pipeline not found'."""
    with pytest.raises(SpinnakerAnswer) as caught:
        Spinnaker().execution_json("01NOPE")
    assert (caught.value.status, caught.value.message) == (404, "Pipeline not found (id: 01NOPE)")


def test_application_permissions_that_are_not_lists_are_refused_and_nothing_is_stored() -> None:
    """front50 binds each permission to a list of roles: a single string is refused, not split into letters."""
    spin = Spinnaker()
    application = {"name": "shop", "email": "team@example.com", "permissions": {"READ": "team"}}
    with pytest.raises(SpinnakerAnswer) as refused:
        spin.save_application(application)
    assert refused.value.status == 400
    with pytest.raises(SpinnakerAnswer) as absent:
        spin.application("shop")
    assert absent.value.status == 404
