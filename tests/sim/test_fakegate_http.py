"""FakeGate over plain HTTP, backed by the simulator: each Gate endpoint as Gate answers it (sources in each test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from spinpromote.sim import Spinnaker
from spinpromote.testing import FakeGate
from tests.sim._build import APP, judgment, pipeline, wait

DOCKER = {"type": "docker/image", "name": "gcr.io/acme/web"}
EXPECTS_IMAGE = {
    "expectedArtifacts": [{"id": "image", "matchArtifact": DOCKER, "useDefaultArtifact": False}],
}


@pytest.fixture
def fake() -> Iterator[FakeGate]:
    with FakeGate(users={"alice": "pw"}, applications=[]) as server:
        yield server


def call(fake: FakeGate, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{fake.url}{path}", auth=("alice", "pw"), timeout=5, **kwargs)


def create_app_job(application: dict[str, Any], kind: str = "createApplication") -> dict[str, Any]:
    """The body Deck's ApplicationWriter posts to ``/tasks``."""
    return {
        "application": application.get("name"),
        "description": f"Create Application: {application.get('name')}",
        "job": [{"type": kind, "application": application, "user": "someone-else@example.com"}],
    }


# -- POST /pipelines ------------------------------------------------------------------------------------------


def test_a_save_answers_200_empty_and_stores_update_ts_and_the_saving_user(fake: FakeGate) -> None:
    """Gate PipelineController.groovy:111-137: 200, empty body; front50 sets updateTs (epoch ms) and
    lastModifiedBy; a refusal is a 400 whose message is front50's."""
    saved = call(fake, "POST", "/pipelines", json=pipeline("Deploy", wait("w")), params={"staleCheck": "true"})
    refused = call(fake, "POST", "/pipelines", json={"application": APP, "name": " "})

    assert (saved.status_code, saved.content) == (200, b"")
    stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and stored["lastModifiedBy"] == "alice"
    assert stored["updateTs"] == str(int(fake.spinnaker.now.timestamp() * 1000))  # the simulated clock
    assert refused.status_code == 400
    assert refused.json()["message"] == "A pipeline requires name and application fields"


def test_stale_check_follows_the_spinnaker_it_serves() -> None:
    """front50 F5: inert by default; Spinnaker(stale_check=True) is a front50 with spinnaker/spinnaker #8022."""
    for spin, expected in ((Spinnaker(), 200), (Spinnaker(stale_check=True), 400)):
        with FakeGate(spinnaker=spin) as fake:
            old = fake.store(pipeline("Deploy", wait("w")))
            fake.edit(APP, "Deploy", lambda doc: doc.update(description="edited"))
            answer = call(fake, "POST", "/pipelines", json={**old, "disabled": True}, params={"staleCheck": "true"})
            assert answer.status_code == expected
    with pytest.raises(ValueError, match="Spinnaker"):
        FakeGate(spinnaker=Spinnaker(), stale_check=True)


# -- applications --------------------------------------------------------------------------------------------


def test_an_absent_application_is_404(fake: FakeGate) -> None:
    """gate ApplicationController.groovy:88-99."""
    answer = call(fake, "GET", "/applications/demo")

    assert answer.status_code == 404 and answer.json()["message"] == "Application not found (id: demo)"


def test_create_application_task_then_gate_shows_front50s_record(fake: FakeGate) -> None:
    """POST /tasks answers a ref at once (TaskController.groovy:46-50); the task runs on the next step
    (UpsertApplicationTask); GET /applications/{app} shows front50's record (Application.java:17-104)."""
    application = {
        "name": "demo",
        "email": "team@example.com",
        "cloudProviders": ["kubernetes", "aws"],
        "permissions": {"READ": ["dev"], "WRITE": ["ops"], "EXECUTE": ["dev"]},
        "instancePort": 80,
    }
    posted = call(fake, "POST", "/tasks", json=create_app_job(application))

    assert posted.status_code == 200 and posted.json()["ref"].startswith("/tasks/")
    task_id = posted.json()["ref"].removeprefix("/tasks/")
    assert fake.spinnaker.task_json(task_id)["status"] == "RUNNING"  # nothing ran yet
    task = call(fake, "GET", posted.json()["ref"]).json()
    assert task["status"] == "SUCCEEDED" and task["id"] == task_id and task["application"] == "demo"
    assert task["name"] == "Create Application: demo" and task["steps"] == [] and task["endTime"] is not None

    shown = call(fake, "GET", "/applications/demo")
    assert shown.status_code == 200
    body = shown.json()
    attributes = body["attributes"]
    assert body["name"] == "demo" and body["clusters"] == {}
    assert attributes["name"] == "DEMO" and attributes["cloudProviders"] == "kubernetes,aws"
    assert attributes["permissions"] == {"READ": ["dev"], "WRITE": ["ops"], "EXECUTE": ["dev"]}
    assert attributes["instancePort"] == 80 and attributes["lastModifiedBy"] == "alice"
    assert attributes["createTs"] == attributes["updateTs"] and attributes["updateTs"].isdigit()


def test_update_application_merges_and_keeps_permissions(fake: FakeGate) -> None:
    """ApplicationService.java:86-143: an update merges (nothing is removed); permissions not sent are kept
    (UpsertApplicationTask writes them only when given); both job types upsert."""
    call(fake, "POST", "/tasks", json=create_app_job({"name": "demo", "email": "a@example.com", "team": "x"}))
    call(fake, "GET", "/health")  # the create runs before this answer
    fake.advance(60)
    update = create_app_job({"name": "demo", "description": "new"}, kind="updateApplication")
    ref = call(fake, "POST", "/tasks", json=update).json()["ref"]
    assert call(fake, "GET", ref).json()["status"] == "SUCCEEDED"

    attributes = call(fake, "GET", "/applications/DEMO").json()["attributes"]
    assert attributes["email"] == "a@example.com" and attributes["team"] == "x" and attributes["description"] == "new"
    assert int(attributes["updateTs"]) - int(attributes["createTs"]) == 60_000
    assert "permissions" not in attributes  # not restricted: front50 leaves it out

    upsert = create_app_job({"name": "other", "email": "b@example.com"}, kind="updateApplication")
    assert call(fake, "GET", call(fake, "POST", "/tasks", json=upsert).json()["ref"]).json()["status"] == "SUCCEEDED"
    assert call(fake, "GET", "/applications/other").status_code == 200


@pytest.mark.parametrize("email", [None, "  "])
def test_an_application_without_email_fails_the_task(fake: FakeGate, email: str | None) -> None:
    """HasEmailValidator: "Application must have a non-empty email"; the task ends TERMINAL with the error in
    variables[key=exception].value.details.errors."""
    application = {"name": "demo"} if email is None else {"name": "demo", "email": email}
    ref = call(fake, "POST", "/tasks", json=create_app_job(application)).json()["ref"]

    task = call(fake, "GET", ref).json()
    exception = next(v["value"] for v in task["variables"] if v["key"] == "exception")
    assert task["status"] == "TERMINAL"
    assert exception == {"details": {"errors": ["Application must have a non-empty email"]}}
    assert call(fake, "GET", "/applications/demo").status_code == 404


def test_add_application_and_the_any_application_default() -> None:
    """add_application creates the record at once; FakeGate() answers any name (a FakeGate convenience)."""
    with FakeGate(applications=["demo"]) as fake:
        fake.add_application("extra", description="made in Deck")
        assert call(fake, "GET", "/applications/demo").status_code == 200
        assert call(fake, "GET", "/applications/extra").json()["attributes"]["description"] == "made in Deck"
        assert call(fake, "GET", "/applications/nope").status_code == 404
    with FakeGate() as anything:
        assert call(anything, "GET", "/applications/whatever").json()["attributes"]["name"] == "WHATEVER"


# -- executions: trigger, read, judge, cancel, list ----------------------------------------------------------


def test_trigger_answers_202_and_the_trigger_is_the_body(fake: FakeGate) -> None:
    """PipelineService.groovy:94-116: the body is the trigger, type defaults to manual, Gate adds the user."""
    fake.store(pipeline("Deploy", wait("w")))

    answer = call(fake, "POST", f"/pipelines/{APP}/Deploy", json={"parameters": {"a": "1"}})

    assert answer.status_code == 202
    execution = call(fake, "GET", answer.json()["ref"]).json()
    assert execution["status"] == "SUCCEEDED" and execution["name"] == "Deploy"
    assert execution["trigger"]["type"] == "manual" and execution["trigger"]["user"] == "alice"
    assert execution["trigger"]["parameters"] == {"a": "1"}


def test_trigger_refusals_carry_gates_prefix(fake: FakeGate) -> None:
    """Gate: 'Required parameter X is missing'; a failure at start is a 400 and orca stores the TERMINAL
    execution (ExecutionLauncher.java:163-198)."""
    fake.store({**pipeline("Params", wait("w")), "parameterConfig": [{"name": "tag", "required": True}]})
    fake.store({**pipeline("Image", wait("w")), **EXPECTS_IMAGE})
    prefix = "Unable to trigger pipeline (application: demo, pipelineNameOrId: {}). Error: "

    missing = call(fake, "POST", f"/pipelines/{APP}/Params", json={})
    unresolved = call(fake, "POST", f"/pipelines/{APP}/Image", json={"expectedArtifactIds": ["image"]})

    assert missing.status_code == 400
    assert missing.json()["message"] == prefix.format("Params") + "Required parameter tag is missing"
    assert unresolved.status_code == 400
    assert unresolved.json()["message"].startswith(prefix.format("Image") + "Unmatched expected artifact")
    (stored,) = [e for e in fake.executions.values() if e["name"] == "Image"]
    assert stored["status"] == "TERMINAL" and stored["canceledBy"] == "system"


def test_v2_trigger_answers_event_id_and_ref(fake: FakeGate) -> None:
    """PipelineController.groovy:319-334: 202 {eventId, ref}; the execution carries the eventId."""
    fake.store(pipeline("Deploy", wait("w")))

    answer = call(fake, "POST", f"/pipelines/v2/{APP}/Deploy", json={"type": "manual"})

    assert answer.status_code == 202 and set(answer.json()) == {"eventId", "ref"}
    execution = call(fake, "GET", answer.json()["ref"]).json()
    assert execution["trigger"]["eventId"] == answer.json()["eventId"]


@pytest.mark.parametrize("name_or_id", ["Nothing", "Off", "deploy", "id-Off"])
def test_v2_trigger_of_an_unknown_or_disabled_pipeline_answers_202_and_starts_nothing(
    fake: FakeGate, name_or_id: str
) -> None:
    """runtime.md 1.4: Gate answers 202 at once; echo's ManualEventHandler.java:189-193 picks only an enabled
    pipeline whose name or id equals (case-sensitive), so these start nothing and report no error."""
    fake.store(pipeline("Deploy", wait("w")))
    fake.store(pipeline("Off", wait("w"), disabled=True))

    answer = call(fake, "POST", f"/pipelines/v2/{APP}/{name_or_id}", json={})

    assert answer.status_code == 202 and set(answer.json()) == {"eventId", "ref"}
    assert fake.executions == {}
    assert call(fake, "GET", answer.json()["ref"]).status_code == 404


def test_v2_trigger_reports_no_start_failure_the_execution_is_terminal(fake: FakeGate) -> None:
    """A failure at start is the stored TERMINAL execution only; v2 does not check required parameters."""
    fake.store(pipeline("Deploy", wait("w"), parameterConfig=[{"name": "env", "required": True}], **EXPECTS_IMAGE))

    answer = call(fake, "POST", f"/pipelines/v2/{APP}/id-Deploy", json={"expectedArtifactIds": ["image"]})

    assert answer.status_code == 202
    execution = call(fake, "GET", answer.json()["ref"]).json()
    assert execution["status"] == "TERMINAL" and execution["canceledBy"] == "system"
    assert execution["cancellationReason"].startswith("Failed on startup: Unmatched expected artifact")


def test_parent_pipeline_id_hands_over_that_executions_artifacts(fake: FakeGate) -> None:
    """OperationsController.groovy:288-303: parentPipelineId looks the execution up; its artifacts are received
    and bind the expected artifacts the trigger lists."""
    fake.store(pipeline("Staging", wait("w")))
    fake.store({**pipeline("Production", wait("w")), **EXPECTS_IMAGE})
    image = {**DOCKER, "version": "v2", "reference": "gcr.io/acme/web:v2"}
    staging = call(fake, "POST", f"/pipelines/{APP}/Staging", json={"artifacts": [image]}).json()["ref"]
    staging_id = staging.removeprefix("/pipelines/")

    ref = call(
        fake,
        "POST",
        f"/pipelines/{APP}/Production",
        json={"parentPipelineId": staging_id, "expectedArtifactIds": ["image"]},
    ).json()["ref"]
    alone = call(fake, "POST", f"/pipelines/{APP}/Production", json={"expectedArtifactIds": ["image"]})

    trigger = call(fake, "GET", ref).json()["trigger"]
    assert [a["version"] for a in trigger["artifacts"]] == ["v2"]
    assert trigger["parentPipelineName"] == "Staging" and trigger["parentExecution"]["id"] == staging_id
    assert alone.status_code == 400  # without the parent, nothing binds the image


def test_a_judgment_patch_applies_on_the_next_step(fake: FakeGate) -> None:
    """TaskController.groovy:479-497: the PATCH answer still shows the stage RUNNING; the next read does not."""
    fake.store(pipeline("Gate", judgment("Approve"), wait("after")))
    ref = call(fake, "POST", f"/pipelines/{APP}/Gate").json()["ref"]
    stage = call(fake, "GET", ref).json()["stages"][0]
    assert stage["status"] == "RUNNING"

    patched = call(fake, "PATCH", f"{ref}/stages/{stage['id']}", json={"judgmentStatus": "continue"})

    assert patched.status_code == 200 and patched.json()["stages"][0]["status"] == "RUNNING"
    after = call(fake, "GET", ref).json()
    assert after["stages"][0]["status"] == "SUCCEEDED" and after["status"] == "SUCCEEDED"
    assert after["stages"][0]["context"]["lastModifiedBy"] == "alice"


def test_cancel_is_asynchronous_and_fires_canceled_triggers(fake: FakeGate) -> None:
    """PipelineController.groovy:228-234 (200, empty); CompoundExecutionOperator.java:57-64 (CANCELED later);
    DependentPipelineExecutionListener.groovy:142-155 (a `canceled` pipeline trigger fires)."""
    fake.store(pipeline("Release", judgment("Approve")))
    on_cancel = {"type": "pipeline", "enabled": True, "pipeline": "id-Release", "status": ["canceled"]}
    fake.store({**pipeline("Cleanup", wait("w")), "triggers": [on_cancel]})
    ref = call(fake, "POST", f"/pipelines/{APP}/Release").json()["ref"]
    execution_id = ref.removeprefix("/pipelines/")
    call(fake, "GET", ref)

    answer = call(fake, "PUT", f"{ref}/cancel", params={"reason": "wrong tag"})

    assert (answer.status_code, answer.content) == (200, b"")
    assert fake.spinnaker.execution_json(execution_id)["status"] == "RUNNING"  # not yet
    canceled = call(fake, "GET", ref).json()
    assert canceled["status"] == "CANCELED" and canceled["canceledBy"] == "alice"
    assert canceled["cancellationReason"] == "wrong tag"
    assert [e["name"] for e in fake.executions.values()] == ["Release", "Cleanup"]


def test_application_executions_limit_per_config_oldest_first(fake: FakeGate) -> None:
    """orca TaskController.groovy:589-637: limit per pipeline config (Gate's default 10), statuses filter,
    ascending startTime, deleted configs not listed."""
    for name in ("A", "B", "Gone"):
        fake.store(pipeline(name, wait("w")))
    fake.store({**pipeline("Stops", judgment("Approve", failPipeline=True)), "limitConcurrent": False})
    for name in ["A"] * 12 + ["B", "Gone", "Stops"]:
        call(fake, "POST", f"/pipelines/{APP}/{name}")
        fake.advance(1)
    call(fake, "DELETE", f"/pipelines/{APP}/Gone")

    default = call(fake, "GET", f"/applications/{APP}/pipelines").json()
    two = call(fake, "GET", f"/applications/{APP}/pipelines", params={"limit": "2"}).json()
    running = call(fake, "GET", f"/applications/{APP}/pipelines", params={"statuses": "RUNNING"}).json()

    assert [e["name"] for e in default] == ["A"] * 10 + ["B", "Stops"]
    starts = [e["startTime"] for e in default]
    assert starts == sorted(starts)
    assert [e["name"] for e in two] == ["A", "A", "B", "Stops"] and two[0]["id"] == default[8]["id"]
    assert [e["name"] for e in running] == ["Stops"]
    assert default[0]["stages"][0]["context"] == {}  # expand=false by default


def test_executions_by_config_ids(fake: FakeGate) -> None:
    """gate ExecutionsController.java:40-78: limit per config defaults to 1; no ids -> []; both -> 400."""
    fake.store(pipeline("A", wait("w", waitTime=5)))
    fake.store(pipeline("B", wait("w")))
    first = call(fake, "POST", f"/pipelines/{APP}/A").json()["ref"].removeprefix("/pipelines/")
    fake.advance(10)
    second = call(fake, "POST", f"/pipelines/{APP}/A").json()["ref"].removeprefix("/pipelines/")
    other = call(fake, "POST", f"/pipelines/{APP}/B").json()["ref"].removeprefix("/pipelines/")

    newest = call(fake, "GET", "/executions", params={"pipelineConfigIds": "id-A"}).json()
    both = call(fake, "GET", "/executions", params={"pipelineConfigIds": "id-A,id-B", "limit": "5"}).json()
    succeeded = call(fake, "GET", "/executions", params={"pipelineConfigIds": "id-A", "statuses": "SUCCEEDED"})

    assert [e["id"] for e in newest] == [second]
    assert [e["id"] for e in both] == [first, other, second]  # same startTime: id descending (:726-731)
    assert both[0]["stages"][0]["context"]["waitTime"] == 5  # expand defaults to true here
    assert [e["id"] for e in succeeded.json()] == [first]
    assert call(fake, "GET", "/executions").json() == []
    mixed = call(fake, "GET", "/executions", params={"pipelineConfigIds": "id-A", "executionIds": first})
    assert mixed.status_code == 400


def test_steps_per_request_lets_a_poller_see_each_step() -> None:
    """With steps_per_request=1 each answer runs one simulator action: the execution moves a step per poll."""
    with FakeGate(steps_per_request=1) as fake:
        fake.store(pipeline("Two", wait("first"), wait("second")))
        ref = requests.post(f"{fake.url}/pipelines/{APP}/Two", timeout=5).json()["ref"]
        seen = []
        for _ in range(40):
            execution = requests.get(f"{fake.url}{ref}", timeout=5).json()
            seen.append((execution["status"], tuple(stage["status"] for stage in execution["stages"])))
            if execution["status"] == "SUCCEEDED":
                break

    assert seen[0] == ("RUNNING", ("NOT_STARTED", "NOT_STARTED"))  # the first poll ran only the start
    assert ("RUNNING", ("SUCCEEDED", "NOT_STARTED")) in seen
    assert seen[-1] == ("SUCCEEDED", ("SUCCEEDED", "SUCCEEDED")) and len(set(seen)) >= 4
