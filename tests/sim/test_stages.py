"""Stage scheduling and stage behaviour (orca-queue handlers, orca-kotlin Stage.kt, the stage classes cited)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from spinpromote.sim import Spinnaker
from tests.sim._build import MANIFEST, github_file, judgment, pipeline, wait, webhook


def run(spin: Spinnaker, document: dict[str, Any], **kwargs: Any) -> Any:
    spin.save(document)
    started = spin.run("demo", document["name"], **kwargs)
    spin.settle()
    return spin.execution(started.id)


def test_stages_follow_requisite_stage_ref_ids() -> None:
    """S1: a stage starts once every upstream stage is SUCCEEDED, FAILED_CONTINUE or SKIPPED (Stage.kt:82-83)."""
    spin = Spinnaker()
    document = pipeline(
        "P",
        wait("A", 10),
        {**wait("B", 20), "requisiteStageRefIds": []},
        {**webhook("C"), "requisiteStageRefIds": ["1", "2"]},
    )
    execution = run(spin, document)
    spin.advance(10)
    assert [s.status for s in spin.execution(execution.id).stages] == ["SUCCEEDED", "RUNNING", "NOT_STARTED"]
    spin.advance(10)
    done = spin.execution(execution.id)
    assert done.status == "SUCCEEDED" and done.stage("C").started == spin.now


def test_stages_without_ref_ids_run_in_order() -> None:
    """OperationsController.groovy:249-252,436-446: no refId anywhere -> numbered "0", "1", ... and chained."""
    spin = Spinnaker()
    document = {
        "application": "demo",
        "name": "Plain",
        "stages": [{"type": "wait", "name": "a"}, {"type": "wait", "name": "b"}],
    }
    execution = run(spin, document)
    assert [(s.ref_id, s.status) for s in execution.stages] == [("0", "SUCCEEDED"), ("1", "SUCCEEDED")]
    assert spin.execution_json(execution.id)["stages"][1]["requisiteStageRefIds"] == ["0"]


def test_stage_enabled_false_or_failing_skips_and_counts_as_success() -> None:
    """S2: anything but true, an evaluation failure included, is SKIPPED (OptionalStageSupport.java:71-130)."""
    spin = Spinnaker()
    document = pipeline(
        "P",
        {**webhook("Off"), "stageEnabled": {"type": "expression", "expression": "parameters['deploy'] == 'yes'"}},
        {**webhook("Broken"), "stageEnabled": {"type": "expression", "expression": "#judgment('nope') == 'x'"}},
        {**webhook("On"), "stageEnabled": {"type": "expression", "expression": "${trigger['user'] == 'anonymous'}"}},
    )
    execution = run(spin, document, parameters={"deploy": "no"})
    assert [s.status for s in execution.stages] == ["SKIPPED", "SKIPPED", "SUCCEEDED"]
    assert execution.status == "SUCCEEDED"
    assert any("Unable to locate manual Judgment stage [nope]" in note for note in execution.notes)


def test_expression_outside_the_subset_is_named_not_guessed() -> None:
    """Expressions the simulator does not evaluate are reported as not simulated, with the expression."""
    spin = Spinnaker()
    document = pipeline(
        "P", {**webhook("Odd"), "stageEnabled": {"type": "expression", "expression": "#fromUrl('x') != null"}}
    )
    execution = run(spin, document)
    assert any("expression not simulated" in note and "#fromUrl" in note for note in execution.notes)


def test_failure_flags_give_orca_statuses() -> None:
    """S3/S4: continuePipeline -> FAILED_CONTINUE and the execution goes on; failPipeline false -> STOPPED, the branch
    halts and the execution ends SUCCEEDED; completeOtherBranchesThenFail -> TERMINAL (Stage.kt:124-132,
    CompleteExecutionHandler.kt:120-136)."""
    spin = Spinnaker(outcomes={"Flaky": "TERMINAL"})
    cont = run(
        spin, pipeline("Cont", {**webhook("Flaky"), "continuePipeline": True, "failPipeline": False}, webhook("After"))
    )
    assert [s.status for s in cont.stages] == ["FAILED_CONTINUE", "SUCCEEDED"] and cont.status == "SUCCEEDED"

    stop = run(spin, pipeline("Stop", {**webhook("Flaky"), "failPipeline": False}, webhook("After")))
    assert [s.status for s in stop.stages] == ["STOPPED", "NOT_STARTED"] and stop.status == "SUCCEEDED"

    fail = run(
        spin,
        pipeline(
            "Fail", {**webhook("Flaky"), "failPipeline": False, "completeOtherBranchesThenFail": True}, webhook("After")
        ),
    )
    assert fail.status == "TERMINAL"

    halt = run(spin, pipeline("Halt", {**wait("Long", 60)}, {**webhook("Flaky"), "requisiteStageRefIds": []}))
    assert halt.status == "TERMINAL" and halt.error == "Scripted outcome: TERMINAL"
    assert [s.status for s in halt.stages] == ["CANCELED", "TERMINAL"]


def test_fail_on_failed_expressions_makes_the_stage_terminal() -> None:
    """S5: CompleteStageHandler.kt:87-94."""
    spin = Spinnaker()
    stage = {**webhook("Hook"), "url": "${#stage('missing')['context']['url']}", "failOnFailedExpressions": True}
    execution = run(spin, pipeline("P", stage))
    assert (
        execution.status == "TERMINAL"
        and execution.error is not None
        and "Unable to locate [missing]" in execution.error
    )


def test_wait_stage_waits_simulated_seconds() -> None:
    """WaitTask.java:41-88: waitTime seconds from the stage's start; nothing sleeps."""
    spin = Spinnaker()
    execution = run(spin, pipeline("P", wait("Pause", 3600)))
    spin.advance(timedelta(minutes=59))
    assert spin.execution(execution.id).status == "RUNNING"
    spin.advance(timedelta(minutes=1))
    assert spin.execution(execution.id).status == "SUCCEEDED"


def test_execution_window_in_orca_time_zone() -> None:
    """S7: the stage stays RUNNING until the window opens, in America/Los_Angeles, days 1 = Sunday
    (RestrictExecutionDuringTimeWindow.java:123-167). The simulation starts Monday 09:00 there."""
    window = {"whitelist": [{"startHour": 22, "startMin": 0, "endHour": 23, "endMin": 0}], "days": [3]}  # Tuesday
    spin = Spinnaker()
    document = pipeline(
        "P", {**webhook("Deploy"), "restrictExecutionDuringTimeWindow": True, "restrictedExecutionWindow": window}
    )
    execution = run(spin, document)
    assert spin.execution(execution.id).stage("Deploy").status == "RUNNING"
    assert spin.waiting() == ["'P': 'Deploy' waits for its execution window"]
    spin.advance(timedelta(hours=36, minutes=59))
    assert spin.execution(execution.id).status == "RUNNING"
    spin.advance(timedelta(minutes=1))
    assert spin.execution(execution.id).status == "SUCCEEDED"


def test_judgment_roles_checked_when_authorization_is_on() -> None:
    """M2: an unauthorized judgment is reset and the stage keeps waiting (ManualJudgmentStage.groovy:107-116)."""
    spin = Spinnaker(roles={"alice": ["release"], "bob": []})
    execution = run(spin, pipeline("P", judgment("Approve", selectedStageRoles=["release"])))
    spin.judge(execution, "Approve", "continue", user="bob")
    spin.settle()
    assert spin.execution(execution.id).status == "RUNNING"
    spin.judge(execution, "Approve", "continue", user="alice")
    spin.settle()
    assert spin.execution(execution.id).status == "SUCCEEDED"


def test_judgment_stop_with_fail_pipeline_false_ends_succeeded() -> None:
    """M1 with failPipeline false: stage STOPPED, execution SUCCEEDED, so `successful` triggers fire (C3)."""
    spin = Spinnaker()
    execution = run(spin, pipeline("P", judgment("Approve", failPipeline=False), webhook("After")))
    spin.judge(execution, "Approve", "stop")
    spin.settle()
    done = spin.execution(execution.id)
    assert (done.status, done.stage("Approve").status, done.stage("After").status) == (
        "SUCCEEDED",
        "STOPPED",
        "NOT_STARTED",
    )


def test_judgment_times_out_after_three_days_by_default() -> None:
    """ManualJudgmentStage.groovy:72-74: default timeout 3 days; stageTimeoutMs overrides."""
    spin = Spinnaker()
    execution = run(spin, pipeline("P", judgment("Approve")))
    spin.advance(timedelta(days=3))
    assert spin.execution(execution.id).status == "TERMINAL"


def deploy(name: str = "Deploy", **fields: Any) -> dict[str, Any]:
    return {
        "type": "deployManifest",
        "name": name,
        "account": "prod",
        "cloudProvider": "kubernetes",
        "source": "artifact",
        **fields,
    }


def manifest_ea(**fields: Any) -> dict[str, Any]:
    return {
        "id": "m",
        "matchArtifact": {"type": "github/file", "name": "k8s/web.yml", "artifactAccount": "github"},
        **fields,
    }


def test_deploy_binds_the_manifest_and_substitutes_visible_images() -> None:
    """D2: every visible docker/image whose name equals the image's substitutes (Replacer.java:135-198); D4: the
    manifest is fetched at the artifact's version (GitHubArtifactCredentials.java:73-81)."""
    spin = Spinnaker()
    sha = spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": MANIFEST})
    image = {"type": "docker/image", "name": "gcr.io/acme/web", "version": "v2", "reference": "gcr.io/acme/web:v2"}
    document = {**pipeline("P", deploy(manifestArtifactId="m")), "expectedArtifacts": [manifest_ea()]}
    spin.save(document)
    spin.trigger("demo", "P", {"artifacts": [github_file(version=sha), image], "expectedArtifactIds": ["m"]})
    spin.settle()

    (deployment,) = spin.deployments()
    assert "image: gcr.io/acme/web:v2" in deployment.content and deployment.manifest is not None
    assert (deployment.manifest.version, deployment.manifest.artifact_account) == (sha, "github")
    assert deployment.images == ()


def test_a_branch_version_is_resolved_at_fetch_time() -> None:
    """D4: a default artifact naming a branch is fetched at the branch tip when the deploy runs, and the deployment
    records that commit."""
    spin = Spinnaker()
    spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": "v1"})
    default = github_file(version="main", artifactAccount="github")
    document = {
        **pipeline("P", wait("Pause", 60), deploy(manifestArtifactId="m")),
        "expectedArtifacts": [manifest_ea(useDefaultArtifact=True, defaultArtifact=default)],
    }
    run(spin, document)
    later = spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": "v2"})
    spin.advance(60)
    (deployment,) = spin.deployments()
    assert deployment.content == "v2" and deployment.manifest is not None and deployment.manifest.version == later


def test_required_artifact_missing_or_unbound_fails_with_orca_and_clouddriver_messages() -> None:
    """D1: ManifestEvaluator.java:224-232; D3: KubernetesDeployManifestOperation.java:286-303."""
    spin = Spinnaker()
    sha = spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": MANIFEST})
    image_ea = {"id": "img", "matchArtifact": {"type": "docker/image", "name": "gcr.io/acme/api"}}
    document = {
        **pipeline("P", deploy(manifestArtifactId="m", requiredArtifactIds=["img"])),
        "expectedArtifacts": [manifest_ea(), image_ea],
    }
    spin.save(document)
    spin.trigger("demo", "P", {"artifacts": [github_file(version=sha)], "expectedArtifactIds": ["m"]})
    spin.settle()
    assert spin.executions("demo")[-1].error == "No artifact with id img could be found in the pipeline context."

    api = {"type": "docker/image", "name": "gcr.io/acme/api", "version": "v9", "reference": "gcr.io/acme/api:v9"}
    spin.trigger("demo", "P", {"artifacts": [github_file(version=sha), api], "expectedArtifactIds": ["m", "img"]})
    spin.settle()
    error = spin.executions("demo")[-1].error
    assert error is not None and error.startswith(
        "The following required artifacts could not be bound: '[ArtifactKey(type=docker/image, name=gcr.io/acme/api"
    )
    assert spin.deployments() == []


def test_bake_emits_embedded_base64_that_a_deploy_consumes() -> None:
    """D5: Bake (Manifest) emits one embedded/base64 named after its expected artifact (CreateBakeManifestTask.java)."""
    spin = Spinnaker()
    sha = spin.git.commit("acme/demo", branch="main", files={"chart/values.yml": MANIFEST})
    baked = {"id": "baked", "matchArtifact": {"type": "embedded/base64", "name": "web"}}
    bake = {
        "type": "bakeManifest",
        "name": "Bake",
        "templateRenderer": "helm3",
        "inputArtifacts": [{"artifact": github_file("chart/values.yml", version=sha), "account": "github"}],
        "expectedArtifacts": [baked],
    }
    execution = run(
        spin, pipeline("P", bake, deploy(manifestArtifactId="baked", manifestArtifactAccount="embedded-artifact"))
    )
    assert execution.status == "SUCCEEDED"
    (artifact,) = execution.stage("Bake").outputs["artifacts"]
    assert artifact["type"] == "embedded/base64" and base64.b64decode(artifact["reference"]).decode() == MANIFEST
    assert spin.deployments()[0].content == MANIFEST


def test_find_artifact_from_execution_picks_the_latest_started_run() -> None:
    """D6: the latest-started run with a chosen status; first match wins (ArtifactUtils.java:300-326)."""
    spin = Spinnaker(outcomes={"Hook": "TERMINAL"})
    spin.save(pipeline("Source", webhook("Other")))
    for version in ("one", "two"):
        spin.run("demo", "Source", artifacts=[github_file(version=version)])
        spin.settle()
    find = {
        "type": "findArtifactFromExecution",
        "name": "Find",
        "application": "demo",
        "pipeline": "id-Source",
        "executionOptions": {"successful": True},
        "expectedArtifacts": [manifest_ea()],
    }
    execution = run(spin, pipeline("P", find))
    assert execution.stage("Find").outputs["artifacts"][0]["version"] == "two"
    nothing = run(spin, pipeline("Q", {**find, "pipeline": "id-none"}))
    assert nothing.error is not None and nothing.error.startswith("Unmatched expected artifact")


def test_undo_rollout_records_a_rollback_when_there_are_revisions() -> None:
    """KubernetesUndoRolloutManifestOperation.java:64-98."""
    spin = Spinnaker()
    undo = {
        "type": "undoRolloutManifest",
        "name": "Undo",
        "account": "prod",
        "location": "default",
        "manifestName": "deployment web",
        "numRevisionsBack": 1,
    }
    first = run(spin, pipeline("Undo", undo))
    assert first.error == "There are 0 revision(s) in total, cannot rollback 1"
    spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": MANIFEST})
    source = {
        "type": "deployManifest",
        "name": "D",
        "account": "prod",
        "source": "artifact",
        "manifestArtifact": github_file(version="main", artifactAccount="github"),
    }
    run(spin, pipeline("Deploy", source))
    spin.run("demo", "Deploy")
    spin.settle()
    assert run(spin, pipeline("Undo", undo)).status == "SUCCEEDED"
    assert [(r.manifest_name, r.revisions_back) for r in spin.rollbacks()] == [("deployment web", 1)]
    # numRevisionsBack 0 is taken as given, not as Deck's default of 1
    assert run(spin, pipeline("Undo", {**undo, "numRevisionsBack": 0})).status == "SUCCEEDED"
    assert [r.revisions_back for r in spin.rollbacks()] == [1, 0]


def test_limit_concurrent_queues_and_keeps_only_the_newest_waiting() -> None:
    """Queueing: limitConcurrent waits for the running execution; keepWaitingPipelines false starts only the newest
    and cancels the others (StartWaitingExecutionsHandler.kt:43-75)."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("Pause", 60)), "limitConcurrent": True, "keepWaitingPipelines": False})
    ids = [spin.run("demo", "P").id for _ in range(3)]
    spin.settle()
    assert [spin.execution(i).status for i in ids] == ["RUNNING", "NOT_STARTED", "NOT_STARTED"]
    spin.advance(60)
    assert [spin.execution(i).status for i in ids] == ["SUCCEEDED", "CANCELED", "RUNNING"]


def test_other_stage_types_succeed_unless_scripted_and_say_so() -> None:
    """Webhooks, run jobs, checks, canaries: their effect is outside Spinnaker; the notes say it was not modelled."""
    spin = Spinnaker(outcomes={"Canary": "TERMINAL"})
    ok = run(spin, pipeline("P", {"type": "runJobManifest", "name": "Job", "account": "staging"}))
    assert ok.status == "SUCCEEDED" and any("effect not modelled" in note for note in ok.notes)
    bad = run(spin, pipeline("Q", {"type": "kayentaCanary", "name": "Canary"}))
    assert bad.status == "TERMINAL" and bad.stage("Canary").error == "Scripted outcome: TERMINAL"


def test_execution_json_has_orca_shape() -> None:
    """GET /pipelines/{id}: id, application, name, status, times, trigger, stages with context and outputs."""
    spin = Spinnaker()
    execution = run(spin, pipeline("P", wait("Pause")))
    document = spin.execution_json(execution.id)
    assert {
        "id",
        "application",
        "name",
        "status",
        "startTime",
        "endTime",
        "buildTime",
        "trigger",
        "stages",
        "pipelineConfigId",
    } <= set(document)
    assert {"id", "refId", "type", "name", "status", "context", "outputs", "requisiteStageRefIds"} <= set(
        document["stages"][0]
    )
    document["status"] = "changed"
    assert spin.execution_json(execution.id)["status"] == "SUCCEEDED"


def test_stage_timeout_bounds_a_running_stage() -> None:
    """S6: stageTimeoutMs fails a stage still running after it (RunTaskHandler.kt:408-421), unless
    markSuccessfulOnTimeout (:212-214); a failed wait then follows the failure flags."""
    spin = Spinnaker()
    slow = run(spin, pipeline("Slow", wait("Soak", 3600, stageTimeoutMs=60_000)))
    lenient = run(spin, pipeline("Lenient", wait("Soak", 3600, stageTimeoutMs=60_000, markSuccessfulOnTimeout=True)))
    spin.advance(60)
    assert spin.execution(slow.id).status == "TERMINAL"
    assert spin.execution(slow.id).error == "Stage Soak timed out after 60 seconds"
    assert spin.execution(lenient.id).status == "SUCCEEDED"
