"""Fields Spinnaker reads differently from how they were written, fixed as Deck writes them (issue 13 item 7)."""

from __future__ import annotations

import json

import pytest

from spinpromote import (
    BakeManifest,
    JenkinsTrigger,
    ManualJudgment,
    Notification,
    Pipeline,
    PipelineBuilder,
    RunPipeline,
    Wait,
    Webhook,
)
from spinpromote.sim import JenkinsBuild, Spinnaker
from tests.conftest import CORPUS, CORPUS_FILES

APP = "demo"


def test_bake_manifest_writes_include_crds_as_orca_reads_it() -> None:
    """orca and rosco read includeCRDs; includeCrds would be dropped."""
    document = BakeManifest(output_name="web", include_crds=True).to_dict()

    assert document["includeCRDs"] is True and "includeCrds" not in document
    assert BakeManifest.from_dict(document).include_crds is True


def test_a_webhook_that_waits_resolves_its_status_url_with_get_method_as_deck_writes() -> None:
    assert Webhook(url="https://x", wait_for_completion=True).to_dict()["statusUrlResolution"] == "getMethod"
    assert "statusUrlResolution" not in Webhook(url="https://x").to_dict()
    parsed = Webhook.from_dict({"type": "webhook", "url": "https://x", "waitForCompletion": True})
    assert "statusUrlResolution" not in parsed.to_dict()  # what was read is written back as it was


def test_the_builder_fills_in_what_deck_fills_in() -> None:
    """RunPipeline's application, Wait's 30 s, and sendNotifications for a judgment that notifies."""
    builder = PipelineBuilder(APP, "Gates")
    run = builder.add(RunPipeline(name="Tests", pipeline="tests-id"))
    pause = builder.then(Wait(name="Pause"))
    judge = builder.then(
        ManualJudgment(name="Approve", notifications=[Notification.slack("#releases", when=["manualJudgment"])])
    )

    assert (run.application, pause.wait_time, judge.send_notifications) == (APP, 30, True)
    assert builder.build().validate() == []
    spin = Spinnaker()
    spin.save({**builder.build().to_dict(), "stages": [{**pause.to_dict(), "requisiteStageRefIds": []}]})
    execution = spin.run(APP, "Gates")
    spin.advance(29)
    assert spin.execution(execution.id).status == "RUNNING"
    spin.advance(1)
    assert spin.execution(execution.id).status == "SUCCEEDED"


def test_a_jenkins_trigger_needs_master_and_job() -> None:
    """echo drops a build trigger without master (BuildEventHandler.java:119-133): it never fires."""
    wait = {"type": "wait", "name": "w", "refId": "1", "requisiteStageRefIds": [], "waitTime": 1}
    broken = Pipeline(application=APP, name="On build", triggers=[JenkinsTrigger(job="shop/build")], stages=[])
    assert [(p.path, p.severity) for p in broken.validate()] == [("$.triggers[0].master", "error")]

    for trigger, fired in ((JenkinsTrigger(job="shop/build"), 0), (JenkinsTrigger(master="ci", job="shop/build"), 1)):
        spin = Spinnaker()
        spin.save({**Pipeline(application=APP, name="On build", triggers=[trigger]).to_dict(), "stages": [wait]})
        assert len(spin.send(JenkinsBuild(master="ci", job="shop/build"))) == fired


def test_judgment_continue_notifications_without_send_notifications_warn() -> None:
    """The awaiting notification is sent anyway; continue and stop need sendNotifications (a warning)."""
    notify = Notification.slack("#releases", when=["manualJudgment", "manualJudgmentContinue"])
    judge = ManualJudgment(ref_id="1", name="Approve", notifications=[notify])
    problems = Pipeline(application=APP, name="p", stages=[judge]).validate()

    assert [(p.path, p.severity) for p in problems] == [("$.stages[0].notifications[0].when", "warning")]


def test_a_deploy_without_source_is_read_as_text_by_orca() -> None:
    stage = {"type": "deployManifest", "refId": "1", "requisiteStageRefIds": [], "name": "d", "account": "a"}
    stage |= {"cloudProvider": "kubernetes", "manifestArtifactId": "m", "moniker": {"app": APP}}
    artifact = {"id": "m", "matchArtifact": {"type": "github/file", "name": "a.yml", "artifactAccount": "gh"}}
    document = {"application": APP, "name": "p", "stages": [stage], "expectedArtifacts": [artifact]}

    problems = Pipeline.from_dict(document).validate()
    assert [(p.path, p.severity) for p in problems] == [("$.stages[0].source", "error")]
    assert Pipeline.from_dict({**document, "stages": [{**stage, "source": "artifact"}]}).validate() == []


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not here")
def test_templated_pipelines_and_templates_are_named_for_what_they_are() -> None:
    """A v2 templated pipeline gets one warning, not missing refIds; a template is not a pipeline."""
    templated = json.loads((CORPUS / "20_spin-v2-templated-plan-config.json").read_text())
    problems = Pipeline.from_dict(templated).validate()
    assert [(p.path, p.severity) for p in problems] == [("$.template", "warning")]

    template = {
        "schema": "v2",
        "application": APP,
        "name": "Template",
        "metadata": {"name": "Deploy template", "owner": "me@example.com"},
        "variables": [{"name": "waitTime", "type": "int"}],
        "pipeline": {"stages": []},
    }
    (problem,) = Pipeline.from_dict(template).validate()
    assert (problem.path, problem.severity) == ("$", "error") and "pipeline template" in problem.message
