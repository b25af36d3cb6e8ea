"""Pipeline-to-pipeline starts: DependentPipelineExecutionListener.groovy, DependentPipelineStarter.groovy,
ArtifactUtils.java:96-120 (getAllArtifacts), PipelineStage.java / MonitorPipelineTask.groovy."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote.sim import Spinnaker, SpinnakerAnswer
from tests.sim._build import github_file, pipeline, wait, webhook


def child_of(parent: str, *, status: list[str] | None = None, **trigger: Any) -> dict[str, Any]:
    return {
        "type": "pipeline",
        "enabled": True,
        "application": "demo",
        "pipeline": f"id-{parent}",
        "status": status or ["successful"],
        **trigger,
    }


@pytest.mark.parametrize(
    ("outcome", "status", "fires"),
    [
        ("SUCCEEDED", "successful", True),
        ("TERMINAL", "failed", True),
        ("TERMINAL", "successful", False),
        ("SUCCEEDED", "failed", False),
    ],
)
def test_parent_status_maps_to_the_trigger_value(outcome: str, status: str, fires: bool) -> None:
    """P1: SUCCEEDED -> successful, CANCELED -> canceled, anything else -> failed (:142-155)."""
    spin = Spinnaker(outcomes={"Check": outcome})
    spin.save(pipeline("Parent", webhook("Check")))
    spin.save({**pipeline("Child", wait("w")), "triggers": [child_of("Parent", status=[status])]})
    spin.run("demo", "Parent")
    spin.settle()
    assert [e.pipeline_name for e in spin.executions("demo", pipeline="Child")] == (["Child"] if fires else [])


@pytest.mark.parametrize("trigger", [{"enabled": False}, {"enabled": None}, {"status": []}])
def test_disabled_or_statusless_pipeline_triggers_never_fire(trigger: dict[str, Any]) -> None:
    """A missing or false enabled, or an empty status list, never fires (:105-113; C6)."""
    spin = Spinnaker()
    spin.save(pipeline("Parent", wait("w")))
    spin.save({**pipeline("Child", wait("w")), "triggers": [{**child_of("Parent"), **trigger}]})
    spin.run("demo", "Parent")
    spin.settle()
    assert spin.executions("demo", pipeline="Child") == []


def test_a_failure_at_start_fires_no_pipeline_trigger() -> None:
    """No ExecutionComplete is published for a startup failure (spinnaker-runtime.md 2.3)."""
    spin = Spinnaker()
    spin.save(
        {**pipeline("Parent", wait("w")), "expectedArtifacts": [{"id": "m", "matchArtifact": {"type": "docker/image"}}]}
    )
    spin.save({**pipeline("Child", wait("w")), "triggers": [child_of("Parent", status=["failed"])]})
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.trigger("demo", "Parent", {"expectedArtifactIds": ["m"]})
    spin.settle()
    assert caught.value.execution_id is not None
    assert spin.execution(caught.value.execution_id).status == "TERMINAL"
    assert spin.executions("demo", pipeline="Child") == []


def test_artifacts_flow_transitively_and_children_do_not_inherit_parameters() -> None:
    """P2/P3: A -> B -> C: C binds A's trigger artifact through B's trigger artifacts; parameters are the child's
    own defaults (DependentPipelineStarter.groovy:107-115)."""
    ea = {"id": "m", "matchArtifact": {"type": "github/file", "name": "k8s/web.yml"}}
    spin = Spinnaker()
    spin.save({**pipeline("A", wait("w")), "parameterConfig": [{"name": "env", "default": "a"}]})
    spin.save({**pipeline("B", wait("w")), "triggers": [child_of("A")]})
    spin.save(
        {
            **pipeline("C", wait("w")),
            "triggers": [child_of("B")],
            "expectedArtifacts": [ea],
            "parameterConfig": [{"name": "env", "default": "c"}],
        }
    )
    spin.run("demo", "A", artifacts=[github_file(version="abc")], parameters={"env": "given"})
    spin.settle()

    (c,) = spin.executions("demo", pipeline="C")
    assert c.status == "SUCCEEDED"
    assert c.trigger["resolvedExpectedArtifacts"][0]["boundArtifact"]["version"] == "abc"
    assert c.trigger["parameters"] == {"env": "c"}
    assert c.trigger["expectedArtifactIds"] == ["m"]  # every EA matching a received artifact (:135-148)


def test_a_loose_expected_artifact_fails_the_child_with_several_matches() -> None:
    """P3 with unique matches at start: an EA matching two received artifacts fails the child TERMINAL."""
    spin = Spinnaker()
    spin.save(pipeline("A", wait("w")))
    spin.save(
        {
            **pipeline("B", wait("w")),
            "triggers": [child_of("A")],
            "expectedArtifacts": [{"id": "any", "matchArtifact": {"type": "github/file"}}],
        }
    )
    spin.run("demo", "A", artifacts=[github_file("a.yml", version="1"), github_file("b.yml", version="1")])
    spin.settle()
    (b,) = spin.executions("demo", pipeline="B")
    assert b.status == "TERMINAL" and b.error is not None and "matches multiple artifacts" in b.error


def test_pipeline_stage_runs_the_child_and_takes_its_outputs() -> None:
    """The pipeline stage starts the child by config id, waits for it, and takes its merged outputs
    (PipelineStage.java:59-84; MonitorPipelineTask.groovy:139-141); a failed child fails the stage."""
    spin = Spinnaker(outcomes={"Broken tests": "TERMINAL"})
    spin.save(pipeline("Tests", wait("w", 30)))
    spin.save(pipeline("Broken", webhook("Broken tests")))
    spin.save(
        pipeline("Parent", {"type": "pipeline", "name": "Run tests", "application": "demo", "pipeline": "id-Tests"})
    )
    spin.save(
        pipeline("Parent 2", {"type": "pipeline", "name": "Run broken", "application": "demo", "pipeline": "id-Broken"})
    )

    parent = spin.run("demo", "Parent")
    spin.settle()
    assert spin.execution(parent.id).stage("Run tests").status == "RUNNING"
    spin.advance(30)
    assert spin.execution(parent.id).status == "SUCCEEDED"
    assert spin.executions("demo", pipeline="Tests")[-1].trigger["parentPipelineId"] == parent.id

    broken = spin.run("demo", "Parent 2")
    spin.settle()
    assert spin.execution(broken.id).status == "TERMINAL"
    spin.save(pipeline("Parent 3", {"type": "pipeline", "name": "Run none", "pipeline": "nope"}))
    run = spin.run("demo", "Parent 3")
    spin.settle()
    assert spin.execution(run.id).error == "The referenced pipeline cannot be located (nope)"


def test_canceled_queued_executions_fire_canceled_triggers() -> None:
    """A queued execution purged by keepWaitingPipelines: false is CANCELED and publishes ExecutionComplete, so
    `canceled` pipeline triggers fire (CancelExecutionHandler.kt:55-56)."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("Pause", 60)), "limitConcurrent": True, "keepWaitingPipelines": False})
    spin.save({**pipeline("On cancel", wait("w")), "triggers": [child_of("P", status=["canceled"])]})
    for _ in range(3):
        spin.run("demo", "P")
    spin.advance(60)
    assert len(spin.executions("demo", pipeline="On cancel")) == 1


def test_keep_waiting_pipelines_runs_every_queued_execution_in_order() -> None:
    """keepWaitingPipelines: true starts the oldest queued execution each time (StartWaitingExecutionsHandler.kt)."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("Pause", 60)), "limitConcurrent": True, "keepWaitingPipelines": True})
    ids = [spin.run("demo", "P").id for _ in range(3)]
    spin.advance(60)
    assert [spin.execution(i).status for i in ids] == ["SUCCEEDED", "RUNNING", "NOT_STARTED"]
    spin.advance(120)
    assert [spin.execution(i).status for i in ids] == ["SUCCEEDED"] * 3


def test_pipeline_stage_outputs_carry_the_child_artifacts_downstream() -> None:
    """The child's merged outputs, artifacts included, become the pipeline stage's (MonitorPipelineTask.groovy:139-141),
    so a later stage can bind them."""
    spin = Spinnaker()
    baked = {"id": "b", "matchArtifact": {"type": "embedded/base64", "name": "web"}}
    spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": "kind: Deployment\n"})
    bake = {
        "type": "bakeManifest",
        "name": "Bake",
        "inputArtifacts": [{"artifact": github_file(version="main"), "account": "github"}],
        "expectedArtifacts": [baked],
    }
    spin.save(pipeline("Baker", bake))
    run_child = {"type": "pipeline", "name": "Run baker", "application": "demo", "pipeline": "id-Baker"}
    deploy = {
        "type": "deployManifest",
        "name": "Deploy",
        "account": "prod",
        "source": "artifact",
        "manifestArtifactId": "b",
        "manifestArtifactAccount": "embedded-artifact",
    }
    spin.save(pipeline("Parent", run_child, deploy))
    parent = spin.run("demo", "Parent")
    spin.settle()
    done = spin.execution(parent.id)
    assert done.status == "SUCCEEDED"
    assert done.stage("Run baker").outputs["artifacts"][0]["type"] == "embedded/base64"
    assert spin.deployments()[0].content == "kind: Deployment\n"
