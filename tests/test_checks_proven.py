"""Each rule that says Spinnaker fails or misbehaves at run time, proven in the simulator.

For every rule: the smallest chain or pipeline that breaks it is reported at the right JSON path, the
simulator shows the failure really happens, and the fixed version validates clean and runs clean.
"""

from __future__ import annotations

import attrs

from spinpromote import (
    DockerImage,
    DockerTrigger,
    ExpectedArtifact,
    GitHubFile,
    GitTrigger,
    Problem,
    PromotionChain,
)
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
GIT = GitTrigger(source="github", project="acme", slug="shop", branch="main")
DOCKER = DockerTrigger(account="gcr", registry="gcr.io", repository="acme/web")


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def pushed(spin: Spinnaker) -> None:
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})


def test_a_trigger_that_cannot_supply_a_required_artifact() -> None:
    """A git push carries no Docker image; the image has no default: every start fails."""
    image = ExpectedArtifact(display_name="web image", match=DockerImage(image="gcr.io/acme/web"))
    broken = PromotionChain(APP, artifact=MANIFEST, required_artifacts=[image]).trigger(GIT).deploy("s", account="s")

    problem = only(broken.validate())
    assert (problem.path, problem.severity) == ("$.triggers[0].expectedArtifactIds[1]", "error")
    assert "Unmatched expected artifact" in problem.message and "default" in problem.message
    spin = Spinnaker()
    spin.save(broken)
    (run,) = spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT}))
    spin.settle()
    assert run.status == "TERMINAL" and (run.error or "").startswith("Unmatched expected artifact")

    # fixed: the image falls back to a default (the tag the manifest names)
    default = DockerImage(image="gcr.io/acme/web", tag="v1")
    fallback = ExpectedArtifact(
        display_name="web image", match=DockerImage(image="gcr.io/acme/web"), default=default, use_default_artifact=True
    )
    fixed = PromotionChain(APP, artifact=MANIFEST, required_artifacts=[fallback]).trigger(GIT).deploy("s", account="s")
    assert fixed.validate() == []
    spin = Spinnaker()
    spin.save(fixed)
    (run,) = spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT}))
    spin.settle()
    assert spin.execution(run.id).status == "SUCCEEDED"
    assert [d.images[0].reference for d in spin.deployments()] == ["gcr.io/acme/web:v1"]


def test_a_docker_trigger_whose_image_no_listed_artifact_matches() -> None:
    """echo names the pushed image gcr.io/acme/web; a matcher for acme/web never lets the trigger fire."""
    short = ExpectedArtifact(display_name="web image", match=DockerImage(image="acme/web"))
    broken = PromotionChain(APP, artifact=MANIFEST, required_artifacts=[short]).trigger(DOCKER).deploy("s", account="s")

    problem = only(broken.validate())
    assert (problem.path, problem.severity) == ("$.triggers[0].repository", "error")
    assert "'gcr.io/acme/web'" in problem.message
    spin = Spinnaker()
    spin.save(broken)
    pushed(spin)
    assert spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr")) == []

    full = ExpectedArtifact(display_name="web image", match=DockerImage(image="gcr.io/acme/web"))
    fixed = PromotionChain(APP, artifact=MANIFEST, required_artifacts=[full]).trigger(DOCKER).deploy("s", account="s")
    assert fixed.validate() == []
    spin = Spinnaker()
    spin.save(fixed)
    pushed(spin)
    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    spin.settle()
    assert spin.execution(run.id).status == "SUCCEEDED"
    assert [d.images[0].reference for d in spin.deployments()] == ["gcr.io/acme/web:v2"]


def judged(chain: PromotionChain, choice: str) -> Spinnaker:
    spin = Spinnaker()
    spin.save(chain)
    spin.send(GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT}))
    spin.settle()
    waiting = next(e for e in spin.executions(APP) if any(s.name == "Approve" for s in e.stages))
    spin.judge(waiting, "Approve", "continue", input=choice)
    spin.settle()
    return spin


def test_only_if_a_value_the_judgment_never_offers() -> None:
    """`#judgment('Approve') == 'approve'` with inputs 'yes, deploy' and 'no': production is always skipped."""

    def chain(only_if: str) -> PromotionChain:
        return (
            PromotionChain(APP, artifact=MANIFEST, layout="single")
            .trigger(GIT)
            .deploy("staging", account="staging")
            .judge("Approve", inputs=["yes, deploy", "no"])
            .deploy("production", account="prod", only_if=only_if)
        )

    problem = only(chain("approve").validate())
    assert (problem.path, problem.severity) == ("$.stages[2].stageEnabled.expression", "error")
    assert "'yes, deploy', 'no'" in problem.message
    spin = judged(chain("approve"), "yes, deploy")
    (run,) = spin.executions(APP)
    assert run.status == "SUCCEEDED" and run.stage("Deploy to Production").status == "SKIPPED"
    assert [d.account for d in spin.deployments()] == ["staging"]

    assert chain("yes, deploy").validate() == []
    spin = judged(chain("yes, deploy"), "yes, deploy")
    (run,) = spin.executions(APP)
    assert run.status == "SUCCEEDED" and run.stage("Deploy to Production").status == "SUCCEEDED"
    assert [d.account for d in spin.deployments()] == ["staging", "prod"]


def test_a_judgment_that_lives_in_another_pipeline_of_the_layout() -> None:
    """In the pipelines layout the judgment is a pipeline of its own; production's #judgment() cannot see it."""
    chain = (
        PromotionChain(APP, artifact=MANIFEST)
        .trigger(GIT)
        .deploy("staging", account="staging")
        .judge("Approve", inputs=["go", "hold"])
        .deploy("production", account="prod", only_if="go")
    )

    problem = only(chain.validate())
    assert (problem.pipeline, problem.path) == ("Deploy to Production", "$.stages[0].stageEnabled.expression")
    assert "pipeline 'Approve'" in problem.message and "layout='gated'" in problem.message
    spin = judged(chain, "go")
    production = spin.executions(APP, pipeline="Deploy to Production")[-1]
    assert production.stage("Deploy to Production").status == "SKIPPED"
    assert [d.account for d in spin.deployments()] == ["staging"]

    fixed = attrs.evolve(chain, layout="gated")
    assert fixed.validate() == []
    spin = judged(fixed, "go")
    assert [d.account for d in spin.deployments()] == ["staging", "prod"]
