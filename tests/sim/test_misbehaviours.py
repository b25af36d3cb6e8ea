"""The four misbehaviours of issue 11's "Why", reproduced as Spinnaker produces them. chain.validate() now
reports each (tests/test_checks_proven.py); the find race is shown unpinned, as pinning carries the content."""

from __future__ import annotations

from spinpromote import DockerImage, DockerTrigger, ExpectedArtifact, GitHubFile, GitTrigger, PromotionChain
from spinpromote.sim import DockerPush, GitPush, Spinnaker

APP = "shop"
MANIFEST = ExpectedArtifact(
    display_name="manifest",
    match=GitHubFile(path="k8s/web.yml", artifact_account="github"),
    default=GitHubFile(path="k8s/web.yml", repo="acme/shop", version="main", artifact_account="github"),
)
TEXT = (
    "kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n"
    "        - image: gcr.io/acme/web:v1\n"
)


def test_git_trigger_with_a_required_docker_image_fails_at_start() -> None:
    """The git trigger lists the image's id too; a push carries no image, the image EA has no default, so orca
    fails the execution at start: ArtifactResolver.java:123-130, ExecutionLauncher.java:163-198."""
    image = ExpectedArtifact(display_name="web image", match=DockerImage(image="gcr.io/acme/web"))
    chain = (
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[image])
        .trigger(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
        .deploy("staging", account="staging")
    )
    spin = Spinnaker()
    spin.save(chain)

    (run,) = spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT}))
    spin.settle()

    assert run.status == "TERMINAL"
    assert run.error is not None
    assert run.error.startswith("Unmatched expected artifact ExpectedArtifact(matchArtifact=Artifact(type=docker/image")
    assert "name=gcr.io/acme/web" in run.error and run.error.endswith("could not be resolved.")
    assert all(stage.status == "NOT_STARTED" for stage in run.stages)
    assert spin.deployments() == []


def test_docker_trigger_whose_repository_does_not_match_the_image_matcher_never_fires() -> None:
    """echo names the pushed image registry/repository (DockerEventHandler.java); the matcher says acme/web, so
    the artifact gate never opens (ArtifactMatcher.java:38-71)."""
    image = ExpectedArtifact(display_name="web image", match=DockerImage(image="acme/web"))
    chain = (
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[image])
        .trigger(DockerTrigger(account="gcr", registry="gcr.io", repository="acme/web"))
        .deploy("staging", account="staging")
    )
    spin = Spinnaker()
    spin.save(chain)

    started = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))

    assert started == []
    assert any("no artifact of the event matches" in line for line in spin.timeline())
    # the same chain with the full image name does fire
    fixed = ExpectedArtifact(display_name="web image", match=DockerImage(image="gcr.io/acme/web"))
    spin.save(
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[fixed])
        .trigger(DockerTrigger(account="gcr", registry="gcr.io", repository="acme/web"))
        .deploy("staging", account="staging")
    )
    assert [
        e.pipeline_name
        for e in spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v3", account="gcr"))
    ] == ["Deploy to Staging"]


def test_only_if_value_that_is_not_a_judgment_input_skips_production() -> None:
    """`#judgment('Approve') == 'approve'` is false for every input offered, so the stage is SKIPPED
    (OptionalStageSupport.java:71-130) and the execution still SUCCEEDS."""
    chain = (
        PromotionChain(APP, artifact=MANIFEST)
        .trigger(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
        .deploy("staging", account="staging")
        .judge("Approve", inputs=["yes, deploy", "no"])
        .deploy("production", account="prod", only_if="approve")
    )
    spin = Spinnaker()
    spin.save(chain.render("single"))
    (run,) = spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT}))
    spin.settle()

    spin.judge(run, "Approve", "continue", input="yes, deploy")
    spin.settle()

    run = spin.execution(run.id)
    assert run.status == "SUCCEEDED"
    assert run.stage("Deploy to Production").status == "SKIPPED"
    assert [d.account for d in spin.deployments()] == ["staging"]
    assert any("skipped: stageEnabled" in note for note in run.notes)


def test_handoff_find_approves_v1_but_deploys_a_newer_v2() -> None:
    """Find Artifact From Execution reads the latest successful staging run when production starts
    (ArtifactUtils.java:300-326), not the one that was judged: v1 approved, v2 deployed."""
    chain = (
        PromotionChain(APP, artifact=MANIFEST, handoff="find", pin=False)
        .trigger(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
        .deploy("staging", account="staging")
        .judge("Staging Judgement")
        .deploy("production", account="prod")
    )
    spin = Spinnaker()
    spin.save(chain)
    spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT.replace("v1", "v1-approved")}))
    spin.settle()
    v1 = spin.git.resolve("acme/shop", "main")
    approved = spin.executions(APP, pipeline="Staging Judgement")[-1]
    spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT.replace("v1", "v2-unreviewed")}))
    spin.settle()
    v2 = spin.git.resolve("acme/shop", "main")

    spin.judge(approved, "Staging Judgement", "continue")
    spin.settle()

    prod = [d for d in spin.deployments() if d.account == "prod"]
    assert len(prod) == 1
    assert prod[0].manifest is not None and prod[0].manifest.version == v2 != v1
    assert "v2-unreviewed" in prod[0].content
    assert approved.trigger["parentExecution"]["trigger"]["hash"] == v1
