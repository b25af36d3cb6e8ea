"""The seed workflow (Deploy to Staging -> Staging Judgement -> Deploy to Production), end to end."""

from __future__ import annotations

import pytest

from spinpromote.sim import GitPush, Spinnaker
from tests.sim._build import seed_chain

APP = "artifact-promotion-demo"
V2 = "kind: Deployment\nmetadata:\n  name: demo\n# v2\n"


@pytest.fixture
def spin() -> Spinnaker:
    spin = Spinnaker()
    spin.save(seed_chain())
    spin.git.commit("acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment\n# v1\n"})
    return spin


def push(spin: Spinnaker, files: dict[str, str | None]) -> list[str]:
    started = spin.send(GitPush(repo="acme/demo", branch="main", files=files))
    spin.settle()
    return [e.pipeline_name for e in started]


def test_push_deploys_staging_at_the_pushed_commit_then_waits(spin: Spinnaker) -> None:
    """Staging deploys the pushed commit (echo pins push artifacts to the SHA: GitHubArtifactExtractor.java:44-65),
    the judgment pipeline starts on success (DependentPipelineExecutionListener.groovy:142-155) and waits."""
    assert push(spin, {"manifests/demo.yml": V2}) == ["Deploy to Staging"]
    sha = spin.git.resolve("acme/demo", "main")

    (staging,) = spin.deployments()
    assert (staging.account, staging.pipeline_name, staging.content) == ("staging", "Deploy to Staging", V2)
    assert staging.manifest is not None and staging.manifest.version == sha
    judgement = spin.executions(APP, pipeline="Staging Judgement")[-1]
    assert judgement.status == "RUNNING" and judgement.stage("Staging Judgement").status == "RUNNING"
    assert spin.executions(APP, pipeline="Deploy to Production") == []
    assert spin.waiting() == ["'Staging Judgement' awaits the judgment 'Staging Judgement'"]


def test_continue_deploys_production_with_the_same_commit_and_content(spin: Spinnaker) -> None:
    """After continue, production binds the artifact handed down the pipeline triggers (ArtifactUtils.java:96-120,
    DependentPipelineStarter.groovy:85-89) even though main moved on meanwhile."""
    push(spin, {"manifests/demo.yml": V2})
    pushed = spin.git.resolve("acme/demo", "main")
    spin.git.commit("acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment\n# v3, not approved\n"})

    spin.judge(spin.executions(APP, pipeline="Staging Judgement")[-1], "Staging Judgement", "continue")
    spin.settle()

    staging, prod = spin.deployments()
    assert prod.account == "prod" and prod.pipeline_name == "Deploy to Production"
    assert staging.manifest is not None and staging.manifest.version == pushed
    assert prod.manifest is None  # pinned: the content staging's deploy resolved, carried as text
    assert prod.content == staging.content == V2
    assert [e.status for e in spin.executions(APP)] == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]


def test_judgment_applies_on_the_next_step_not_at_once(spin: Spinnaker) -> None:
    """orca merges the PATCH into the context and applies it when the task runs next (TaskController.groovy:479-497)."""
    push(spin, {"manifests/demo.yml": V2})
    run = spin.executions(APP, pipeline="Staging Judgement")[-1]

    spin.judge(run, "Staging Judgement", "continue")

    assert spin.execution(run.id).stage("Staging Judgement").status == "RUNNING"
    assert spin.step() is True
    assert spin.execution(run.id).stage("Staging Judgement").status == "SUCCEEDED"


def test_a_push_that_does_not_touch_the_manifest_starts_nothing(spin: Spinnaker) -> None:
    """The trigger lists the manifest's artifact, so only a push carrying it fires (ArtifactMatcher.java:38-71)."""
    assert push(spin, {"README.md": "docs"}) == []
    assert spin.executions(APP) == [] and spin.deployments() == []


def test_stop_deploys_nothing_to_production(spin: Spinnaker) -> None:
    """Stop makes the judgment TERMINAL (failPipeline: true): no `successful` trigger fires (ManualJudgmentStage)."""
    push(spin, {"manifests/demo.yml": V2})
    spin.judge(spin.executions(APP, pipeline="Staging Judgement")[-1], "Staging Judgement", "stop")
    spin.settle()

    assert [d.account for d in spin.deployments()] == ["staging"]
    assert spin.executions(APP, pipeline="Staging Judgement")[-1].status == "TERMINAL"
    assert spin.executions(APP, pipeline="Deploy to Production") == []


def test_deploy_to_production_by_hand_without_artifact_fails_as_orca_does(spin: Spinnaker) -> None:
    """A manual run has no parent execution, so the pinned deploy's manifests expression cannot resolve and the
    deploy fails (the expression is kept as text, ExpressionTransform.java, and is no manifest)."""
    run = spin.run(APP, "Deploy to Production")
    spin.settle()

    run = spin.execution(run.id)
    assert run.status == "TERMINAL"
    assert run.error is not None and "parentExecution" in run.error  # no parent execution to carry content from
    assert run.stage("Deploy to Production").status == "TERMINAL"
    assert spin.deployments() == []
