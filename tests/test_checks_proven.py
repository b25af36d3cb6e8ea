"""Each rule that says Spinnaker fails or misbehaves at run time, proven in the simulator.

For every rule: the smallest chain or pipeline that breaks it is reported at the right JSON path, the
simulator shows the failure really happens, and the fixed version validates clean and runs clean.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from spinpromote import (
    DockerImage,
    ExpectedArtifact,
    GitTrigger,
    Pipeline,
    Problem,
    PromotionChain,
)
from spinpromote.sim import DockerPush, GitPush, Spinnaker, SpinnakerAnswer
from tests.shop import APP, DOCKER, MANIFEST, web

TEXT = web(tag="v1")
GIT = GitTrigger(source="github", project="acme", slug="shop", branch="main")


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


def deploy_stage(**fields: object) -> dict[str, object]:
    return {
        "type": "deployManifest",
        "account": "staging",
        "cloudProvider": "kubernetes",
        "moniker": {"app": APP},
        **fields,
    }


GITHUB_FILE = {
    "type": "github/file",
    "name": "k8s/web.yml",
    "version": "main",
    "reference": "https://api.github.com/repos/acme/shop/contents/k8s/web.yml",
}
FILE_EA = {"id": "m", "matchArtifact": {"type": "github/file", "name": "k8s/web.yml", "artifactAccount": "github"}}


def wire(name: str, *stages: dict[str, object], **fields: object) -> dict[str, object]:
    numbered = []
    for index, stage in enumerate(stages, start=1):
        numbered.append({"refId": str(index), "requisiteStageRefIds": [str(index - 1)] if index > 1 else [], **stage})
    return {"application": APP, "name": name, "id": f"id-{name}", "triggers": [], "stages": numbered, **fields}


def wait_stage(name: str, **fields: object) -> dict[str, object]:
    return {"type": "wait", "name": name, "waitTime": 1, **fields}


CONFIG_MAP = {"kind": "ConfigMap", "metadata": {"name": "c"}}
_DEFAULTED = {**FILE_EA, "defaultArtifact": {**GITHUB_FILE, "artifactAccount": "github"}, "useDefaultArtifact": True}
# (rule, broken document, path of the error, what Spinnaker does, fixed document)
RUNTIME_RULES = [
    (
        "a parent refId no stage has",
        wire("P", wait_stage("a"), wait_stage("b", requisiteStageRefIds=["9"])),
        "$.stages[1].requisiteStageRefIds[0]",
        "stage 'b' never starts",
        wire("P", wait_stage("a"), wait_stage("b")),
    ),
    (
        "a cycle",
        wire("P", wait_stage("a"), wait_stage("b", requisiteStageRefIds=["3"]), wait_stage("c")),
        "$.stages[1].requisiteStageRefIds",
        "Invalid stage relationships found",
        wire("P", wait_stage("a"), wait_stage("b"), wait_stage("c")),
    ),
    (
        "no initial stage",
        wire("P", wait_stage("a", requisiteStageRefIds=["2"]), wait_stage("b")),
        "$.stages",
        "Invalid stage relationships found",
        wire("P", wait_stage("a"), wait_stage("b")),
    ),
    (
        "a refId used twice",
        wire("P", wait_stage("a"), wait_stage("b", refId="1", requisiteStageRefIds=["1"])),
        "$.stages[1].refId",
        "stage 'b' never starts",
        wire("P", wait_stage("a"), wait_stage("b")),
    ),
    (
        "a pipeline stage without a pipeline",
        wire("P", {"type": "pipeline", "name": "r", "application": APP}),
        "$.stages[0].pipeline",
        "The referenced pipeline cannot be located",
        wire("P", {"type": "pipeline", "name": "r", "application": APP, "pipeline": "id-Other"}),
    ),
    (
        "a text deploy without manifests",
        wire("P", deploy_stage(name="d", source="text", manifests=[])),
        "$.stages[0].manifests",
        "No text manifest was specified.",
        wire("P", deploy_stage(name="d", source="text", manifests=[{"kind": "ConfigMap", "metadata": {"name": "c"}}])),
    ),
    (
        "an artifact deploy without an artifact",
        wire("P", deploy_stage(name="d", source="artifact")),
        "$.stages[0].manifestArtifactId",
        "No manifest artifact was specified.",
        wire("P", deploy_stage(name="d", source="artifact", manifestArtifactId="m"), expectedArtifacts=[_DEFAULTED]),
    ),
    (
        "a manifest artifact without an account",
        wire(
            "P",
            deploy_stage(name="d", source="artifact", manifestArtifactId="m"),
            expectedArtifacts=[
                {
                    **_DEFAULTED,
                    "matchArtifact": {"type": "github/file", "name": "k8s/web.yml"},
                    "defaultArtifact": GITHUB_FILE,
                }
            ],
        ),
        "$.stages[0].manifestArtifactId",
        "No manifest artifact account was specified.",
        wire("P", deploy_stage(name="d", source="artifact", manifestArtifactId="m"), expectedArtifacts=[_DEFAULTED]),
    ),
    (
        "useDefaultArtifact without a default",
        wire("P", wait_stage("a"), expectedArtifacts=[{**FILE_EA, "useDefaultArtifact": True}]),
        "$.expectedArtifacts[0].defaultArtifact",
        "Unmatched expected artifact",
        wire("P", wait_stage("a"), expectedArtifacts=[_DEFAULTED]),
    ),
    (
        "a bake without inputs",
        wire(
            "P",
            {
                "type": "bakeManifest",
                "name": "b",
                "templateRenderer": "HELM3",
                "outputName": "web",
                "expectedArtifacts": [{"id": "baked", "matchArtifact": {"type": "embedded/base64", "name": "web"}}],
            },
        ),
        "$.stages[0].inputArtifacts",
        "At least one input artifact to bake must be supplied",
        None,
    ),
    (
        "an undo rollout without numRevisionsBack",
        wire(
            "P",
            {
                "type": "undoRolloutManifest",
                "name": "u",
                "account": "staging",
                "cloudProvider": "kubernetes",
                "location": "default",
                "mode": "static",
                "manifestName": "deployment web",
            },
        ),
        "$.stages[0].numRevisionsBack",
        "cannot rollback",
        None,
    ),
    (
        "a #stage lookup of a stage that is not there",
        wire("P", wait_stage("a"), {"type": "wait", "name": "w", "waitTime": "${#stage('Nope').context.waitTime}"}),
        "$.stages[1].waitTime",
        "Unable to locate [Nope]",
        wire("P", wait_stage("a"), {"type": "wait", "name": "w", "waitTime": "${#stage('a').context.waitTime}"}),
    ),
    (
        "a wait without waitTime",
        wire("P", {"type": "wait", "name": "w"}),
        "$.stages[0].waitTime",
        "did not wait",
        wire("P", wait_stage("w")),
    ),
    (
        "a negative waitTime",
        wire("P", wait_stage("w", waitTime=-5)),
        "$.stages[0].waitTime",
        "did not wait",
        wire("P", wait_stage("w")),
    ),
    (
        "a deploy that names no account",
        wire("P", {**deploy_stage(name="d", source="text", manifests=[CONFIG_MAP]), "account": None}),
        "$.stages[0].account",
        "credentials are required",
        wire("P", deploy_stage(name="d", source="text", manifests=[CONFIG_MAP])),
    ),
    (
        "a pipeline without a name",
        {**wire("P", wait_stage("a")), "name": ""},
        "$.name",
        "A pipeline requires name and application fields",
        wire("P", wait_stage("a")),
    ),
]


@pytest.mark.parametrize(
    ("rule", "broken", "path", "failure", "fixed"), RUNTIME_RULES, ids=[rule[0] for rule in RUNTIME_RULES]
)
def test_runtime_rules_are_proven(
    rule: str, broken: dict[str, Any], path: str, failure: str, fixed: dict[str, Any] | None
) -> None:
    """The error is reported at its path; Spinnaker (simulated) fails or misbehaves; the fix runs clean."""
    problems = Pipeline.from_dict(broken).validate()
    assert (path, "error") in [(p.path, p.severity) for p in problems], [str(p) for p in problems]
    assert failure in simulated(broken)
    if fixed is not None:
        assert Pipeline.from_dict(fixed).validate() == []
        assert simulated(fixed) == "SUCCEEDED"


def simulated(document: dict[str, Any]) -> str:
    """SUCCEEDED, or what went wrong: front50's refusal, orca's error, a stage that never started, a note."""
    spin = Spinnaker()
    spin.save(wire("Other", wait_stage("x")))
    pushed(spin)
    try:
        spin.save(document)
    except SpinnakerAnswer as refusal:
        return str(refusal)
    run = spin.run(APP, str(document["name"]))
    spin.settle()
    if any(s.type == "wait" and s.status == "SUCCEEDED" for s in spin.execution(run.id).stages):
        return "did not wait"  # every wait here is a second or more: done at once, it did not wait
    spin.advance(60)
    run = spin.execution(run.id)
    if run.status == "SUCCEEDED" and all(stage.status == "SUCCEEDED" for stage in run.stages) and not run.error:
        return "SUCCEEDED"
    never = [f"stage {stage.name!r} never starts" for stage in run.stages if stage.status == "NOT_STARTED"]
    return " / ".join([run.error or "", *never, *run.notes])


UNCONFIRMED = [
    (
        {"type": "deleteManifest", "name": "d", "account": "staging", "cloudProvider": "kubernetes"}
        | {"mode": "static", "manifestName": "deployment web"},
        "$.stages[0].location",
    ),
    ({"type": "webhook", "name": "h", "method": "GET"}, "$.stages[0].url"),
    ({"type": "manualJudgment", "name": "j", "judgmentInputs": [{"value": ""}]}, "$.stages[0].judgmentInputs[0].value"),
    ({"type": "wait", "name": "w", "waitTime": 1, "stageTimeoutMs": 0}, "$.stages[0].stageTimeoutMs"),
    (deploy_stage(name="d", source="text", manifests=[CONFIG_MAP], cloudProvider="aws"), "$.stages[0].cloudProvider"),
    (
        {"type": "scaleManifest", "name": "s", "account": "staging", "cloudProvider": "kubernetes"}
        | {"location": "default", "mode": "static", "manifestName": "deployment web"},
        "$.stages[0].replicas",
    ),
    (
        {"type": "findArtifactFromExecution", "name": "f", "pipeline": "id-Other"}
        | {"executionOptions": {"successful": True}, "expectedArtifacts": [_DEFAULTED]},
        "$.stages[0].application",
    ),
]


@pytest.mark.parametrize(("stage", "path"), UNCONFIRMED, ids=[path for _, path in UNCONFIRMED])
def test_rules_the_simulator_cannot_confirm_are_warnings(stage: dict[str, Any], path: str) -> None:
    """The simulator runs these on (it does not model clouddriver's accounts or a webhook's call, and orca
    finds the execution by pipeline id alone): warnings, not errors."""
    document = wire("P", stage)
    problems = Pipeline.from_dict(document).validate()
    assert [(p.path, p.severity) for p in problems] == [(path, "warning")]
    spin = Spinnaker()
    spin.save([wire("Other", wait_stage("x")), document])
    run = spin.run(APP, "P")
    spin.advance(60)
    run = spin.execution(run.id)
    assert run.error is None and run.status in ("SUCCEEDED", "RUNNING")  # a judgment still waits
    assert all(stage.status in ("SUCCEEDED", "RUNNING") for stage in run.stages)


def test_a_pipeline_trigger_without_status_never_fires() -> None:
    """echo matches a pipeline trigger on the parent's status: with none listed, nothing ever starts it."""
    up = wire("Up", wait_stage("a"))

    def down(status: list[str]) -> dict[str, Any]:
        trigger = {"type": "pipeline", "enabled": True, "application": APP, "pipeline": "id-Up", "status": status}
        return wire("Down", wait_stage("b"), triggers=[trigger])

    problems = Pipeline.from_dict(down([])).validate()
    assert [(p.path, p.severity) for p in problems] == [("$.triggers[0].status", "error")]
    for status, started in (([], []), (["successful"], ["Down"])):
        spin = Spinnaker()
        spin.save([up, down(status)])
        spin.run(APP, "Up")
        spin.advance(5)
        assert [e.pipeline_name for e in spin.executions(APP) if e.pipeline_name != "Up"] == started
    assert Pipeline.from_dict(down(["successful"])).validate() == []


DOCKER_PUSH = DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr")
GIT_PUSH = GitPush(repo="acme/shop", files={"k8s/web.yml": TEXT})
TRIGGER_RULES = [
    (
        {"type": "docker", "enabled": True, "account": "gcr", "registry": "gcr.io"},
        "$.triggers[0].repository",
        DOCKER_PUSH,
        {"repository": "acme/web"},
    ),
    (
        {"type": "git", "enabled": True, "source": "github", "project": "acme", "branch": "main"},
        "$.triggers[0].slug",
        GIT_PUSH,
        {"slug": "shop"},
    ),
    (
        {"type": "git", "enabled": True, "source": "github", "project": "acme", "slug": "shop", "branch": "main"}
        | {"expectedArtifactIds": ["nothing-declared"]},
        "$.triggers[0].expectedArtifactIds[0]",
        GIT_PUSH,
        {"expectedArtifactIds": []},
    ),
]


@pytest.mark.parametrize(("trigger", "path", "event", "fix"), TRIGGER_RULES, ids=lambda v: str(v)[:30])
def test_trigger_rules_are_proven(trigger: dict[str, Any], path: str, event: Any, fix: dict[str, Any]) -> None:
    """A trigger missing what echo matches on (or listing an id nothing declares) never fires; fixed, it does."""
    for document, expected in ((wire("P", wait_stage("a"), triggers=[trigger]), []), (None, ["P"])):
        if document is None:
            document = wire("P", wait_stage("a"), triggers=[{**trigger, **fix}])
            assert Pipeline.from_dict(document).validate() == []
        else:
            problems = Pipeline.from_dict(document).validate()
            assert (path, "error") in [(p.path, p.severity) for p in problems]
        spin = Spinnaker()
        spin.save(document)
        assert [run.pipeline_name for run in spin.send(event)] == expected


def test_pipeline_names_that_clash_ignoring_case() -> None:
    """front50 compares names case-insensitively: the second pipeline (here with the same derived id) replaces
    the first, and with another id it would be refused (the chain check says so first)."""
    chain = (
        PromotionChain(APP, artifact=MANIFEST)
        .trigger(GIT)
        .deploy("staging", account="staging")
        .deploy("STAGING", account="x", pipeline_name="deploy to staging")
    )
    problems = [p for p in chain.validate() if "case-insensitively" in p.message]
    assert [(p.pipeline, p.path, p.severity) for p in problems] == [("deploy to staging", "$.name", "error")]
    spin = Spinnaker()
    spin.save(chain)
    assert [p["name"] for p in spin.pipelines(APP)] == ["deploy to staging"]  # staging's pipeline is gone
    fixed = chain.steps[:-1]
    renamed = attrs.evolve(chain, steps=fixed).deploy("STAGING", account="x", pipeline_name="Deploy to Staging 2")
    assert renamed.validate() == []
    assert len(Spinnaker().save(renamed)) == 2
