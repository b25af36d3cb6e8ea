"""PromotionChain: the seed's three pipelines, layouts, ids, hand-off, gates and chain validation."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import attrs
import pytest

from spinpromote import (
    DockerImage,
    DockerTrigger,
    ExecutionWindow,
    ExpectedArtifact,
    FindArtifactFromExecution,
    GitHubFile,
    GitTrigger,
    HourRange,
    ManualJudgment,
    PipelineTrigger,
    PromotionChain,
    Target,
    Webhook,
    expected_artifact_id,
    pipeline_id,
)
from tests.conftest import ROOT

APP = "artifact-promotion-demo"


@pytest.fixture
def chain() -> PromotionChain:
    """The issue's contract, run verbatim from the example."""
    chain: PromotionChain = runpy.run_path(str(ROOT / "examples" / "artifact_promotion.py"))["chain"]
    return chain


def test_contract(chain: PromotionChain) -> None:
    """pipelines() and render() give the same three pipelines, upstream first."""
    pipelines = chain.pipelines()
    documents = chain.render()
    single = chain.render(layout="single")

    assert [p.name for p in pipelines] == ["Deploy to Staging", "Staging Judgement", "Deploy to Production"]
    assert documents == [p.to_dict() for p in pipelines]
    assert len(single) == 1
    assert chain.validate() == []


def test_seed_deploy_to_staging(chain: PromotionChain) -> None:
    """Git trigger listing the artifact; the artifact with its default; one deploy bound to it."""
    staging = chain.render()[0]
    ea_id = expected_artifact_id(APP, "demo-manifest")

    assert staging["id"] == pipeline_id(APP, "Deploy to Staging")
    assert staging["triggers"] == [
        {
            "type": "git",
            "enabled": True,
            "expectedArtifactIds": [ea_id],
            "source": "github",
            "project": "acme",
            "slug": "demo",
            "branch": "main",
        }
    ]
    (artifact,) = staging["expectedArtifacts"]
    assert artifact["useDefaultArtifact"] is True
    assert artifact["usePriorArtifact"] is False
    assert artifact["matchArtifact"] == {
        "type": "github/file",
        "name": "manifests/demo.yml",
        "artifactAccount": "github",
    }
    assert artifact["defaultArtifact"]["reference"] == (
        "https://api.github.com/repos/acme/demo/contents/manifests/demo.yml"
    )
    (stage,) = staging["stages"]
    assert stage["type"] == "deployManifest"
    assert stage["source"] == "artifact"
    assert stage["manifestArtifactId"] == ea_id
    assert stage["account"] == "staging"
    assert stage["moniker"] == {"app": APP}
    assert not {"updateTs", "lastModifiedBy", "schema", "index"} & set(staging)


def test_seed_staging_judgement(chain: PromotionChain) -> None:
    """A pipeline trigger on staging's id, successful; one judgment that halts the pipeline."""
    judgement = chain.render()[1]

    assert judgement["triggers"] == [
        {
            "type": "pipeline",
            "enabled": True,
            "application": APP,
            "pipeline": pipeline_id(APP, "Deploy to Staging"),
            "status": ["successful"],
        }
    ]
    assert "expectedArtifacts" not in judgement
    (stage,) = judgement["stages"]
    assert stage["type"] == "manualJudgment"
    assert stage["failPipeline"] is True
    assert stage["instructions"] == "Verify the staging deployment, then continue."


def test_seed_deploy_to_production(chain: PromotionChain) -> None:
    """Triggered by the judgement; the same artifact, bound only from what flows down the chain."""
    production = chain.render()[2]
    ea_id = expected_artifact_id(APP, "demo-manifest")

    (trigger,) = production["triggers"]
    assert trigger["pipeline"] == pipeline_id(APP, "Staging Judgement")
    assert trigger["expectedArtifactIds"] == [ea_id]
    (artifact,) = production["expectedArtifacts"]
    assert artifact["useDefaultArtifact"] is False
    assert artifact["usePriorArtifact"] is False
    assert "defaultArtifact" not in artifact
    assert artifact["matchArtifact"]["artifactAccount"] == "github"
    (deploy,) = production["stages"]
    assert deploy["account"] == "prod"
    # pinned: the manifests staging's deploy resolved, read from the execution the trigger hands over
    assert (deploy["source"], "manifestArtifactId" in deploy) == ("text", False)
    assert deploy["manifests"] == [
        "${trigger.parentExecution.trigger.parentExecution.stages.^[refId == '1'].context.manifests}"
    ]
    unpinned = attrs.evolve(chain, pin=False).render()[2]["stages"][0]
    assert (unpinned["source"], unpinned["manifestArtifactId"]) == ("artifact", ea_id)


def test_single_layout(chain: PromotionChain) -> None:
    """One pipeline: deploy, judge, deploy in sequence."""
    (pipeline,) = chain.pipelines(layout="single")

    assert [(s.name, s.ref_id, s.requisite_stage_ref_ids) for s in pipeline.stages or ()] == [
        ("Deploy to Staging", "1", ()),
        ("Staging Judgement", "2", ("1",)),
        ("Deploy to Production", "3", ("2",)),
    ]
    assert pipeline.validate() == []


def test_gated_layout(chain: PromotionChain) -> None:
    """Each gate heads the pipeline of the environment it guards."""
    staging, production = chain.pipelines(layout="gated")

    assert isinstance((production.stages or ())[0], ManualJudgment)
    assert isinstance((production.triggers or ())[0], PipelineTrigger)
    assert (production.triggers or ())[0].pipeline == staging.id  # type: ignore[union-attr]
    assert chain.validate("gated") == []


def test_ids_override_is_followed_everywhere(chain: PromotionChain) -> None:
    """Adopting live ids rewrites the pipeline ids and every trigger that points at them."""
    adopted = PromotionChain(
        chain.application,
        artifact=chain.artifact,
        triggers=chain.triggers,
        steps=chain.steps,
        ids={"Deploy to Staging": "live-staging", "Staging Judgement": "live-judgement"},
    )
    staging, judgement, production = adopted.render()

    assert (staging["id"], judgement["id"]) == ("live-staging", "live-judgement")
    assert judgement["triggers"][0]["pipeline"] == "live-staging"
    assert production["triggers"][0]["pipeline"] == "live-judgement"
    assert adopted.validate() == []


def test_find_handoff(chain: PromotionChain) -> None:
    """With handoff='find', production looks the artifact up in staging's last successful run."""
    finding = PromotionChain(chain.application, artifact=chain.artifact, handoff="find", steps=chain.steps)
    staging, _, production = finding.pipelines()
    find, deploy = production.stages or ()

    assert isinstance(find, FindArtifactFromExecution)
    assert find.pipeline == staging.id
    assert find.execution_options is not None and find.execution_options.successful is True
    assert deploy.requisite_stage_ref_ids == (find.ref_id,)
    assert production.expected_artifacts == ()
    # a judgment pipeline sits between: the lookup would read the latest staging run, not the approved one
    assert [(p.path, p.severity) for p in finding.validate()] == [("$.stages[0].pipeline", "error")]
    assert attrs.evolve(finding, layout="gated").validate() == []


def image_chain() -> PromotionChain:
    """A manifest with an image bound into it, parallel prod targets, windows and gates."""
    manifest = ExpectedArtifact(
        display_name="m",
        match=GitHubFile(path="a.yml"),
        default=GitHubFile(path="a.yml", repo="o/r", artifact_account="gh"),
    )
    image = ExpectedArtifact(display_name="img", match=DockerImage(image="gcr.io/o/app"))
    return (
        PromotionChain("shop", artifact=manifest, required_artifacts=[image])
        .trigger(DockerTrigger(account="gcr", repository="o/app"))
        .deploy("staging", account="staging")
        .judge("Approve", inputs=["go", "skip"])
        .verify(Webhook(name="Smoke test", url="https://ci/x", method="POST"))
        .deploy(
            "production",
            targets=[Target(account="us"), Target(account="eu", namespace="shop")],
            window=ExecutionWindow.weekdays(HourRange(start_hour=9, end_hour=17)),
            only_if="go",
        )
    )


def test_several_artifacts_and_targets() -> None:
    """The image binds through requiredArtifactIds; targets deploy in parallel; the window is compiled."""
    pipelines = image_chain().pipelines(layout="gated")
    production = pipelines[-1].to_dict()
    deploys = [s for s in production["stages"] if s["type"] == "deployManifest"]

    assert [s["account"] for s in deploys] == ["us", "eu"]
    assert deploys[0]["requisiteStageRefIds"] == deploys[1]["requisiteStageRefIds"] == ["2"]
    assert deploys[1]["namespaceOverride"] == "shop"
    assert deploys[0]["requiredArtifactIds"] == [expected_artifact_id("shop", "img")]
    assert deploys[0]["restrictExecutionDuringTimeWindow"] is True
    assert deploys[0]["stageEnabled"]["expression"] == "#judgment('Approve') == 'go'"
    assert production["triggers"][0]["expectedArtifactIds"] == [
        expected_artifact_id("shop", "m"),
        expected_artifact_id("shop", "img"),
    ]
    # The manifest's matcher took the account from its default, since production has no default.
    assert production["expectedArtifacts"][0]["matchArtifact"]["artifactAccount"] == "gh"


def test_judgment_condition_needs_the_same_pipeline() -> None:
    """In the pipelines layout the judgment lives elsewhere, and validation says so."""
    problems = image_chain().validate("pipelines")

    assert any(p.path.endswith("stageEnabled.expression") and "another pipeline" in p.message for p in problems)
    assert image_chain().validate("gated") == []


def test_chain_validation_finds_cross_pipeline_mistakes(chain: PromotionChain) -> None:
    """A trigger to a foreign pipeline, clashing names and an artifact nothing supplies are errors."""
    foreign = chain.trigger(PipelineTrigger(application=APP, pipeline="somewhere-else"))
    clash = chain.deploy("STAGING", account="x", pipeline_name="deploy to staging")
    orphan = PromotionChain(
        APP, artifact=ExpectedArtifact(display_name="orphan", match=GitHubFile(path="x.yml", artifact_account="g"))
    ).deploy("staging", account="s")

    assert any(p.path == "$.triggers[1].pipeline" for p in foreign.validate())
    assert any("case-insensitively" in p.message for p in clash.validate())
    assert any(p.path == "$.stages[0].manifestArtifactId" and "never bind" in p.message for p in orphan.validate())


def test_loose_matchers_are_errors_in_a_chain() -> None:
    """Artifacts pile up down the chain; a matcher without a name can match several."""
    loose = ExpectedArtifact(
        display_name="any-file", match=GitHubFile(artifact_account="g"), default=GitHubFile(path="a")
    )
    chain = PromotionChain(APP, artifact=loose).trigger(GitTrigger(source="github", project="o", slug="r"))
    problems = chain.deploy("a", account="a").deploy("b", account="b").validate()

    assert any(p.path == "$.expectedArtifacts[0].matchArtifact" and p.severity == "error" for p in problems)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda c: c.judge("too early"), "guards nothing"),
        (lambda c: c.deploy("x"), "needs an account"),
        (lambda c: c.deploy("x", account="a", targets=[Target(account="b")]), "not both"),
    ],
)
def test_misuse_is_refused(build: Any, message: str) -> None:
    """Building a chain wrongly fails at once with advice."""
    start = PromotionChain(APP, artifact=ExpectedArtifact(display_name="m", match=GitHubFile(path="a")))

    with pytest.raises(ValueError, match=message):
        build(start)


def test_chains_are_immutable(chain: PromotionChain) -> None:
    """Each step returns a new chain; the old one is unchanged."""
    longer = chain.deploy("dr", account="dr")

    assert len(longer.pipelines()) == 4
    assert len(chain.pipelines()) == 3


def test_the_layout_belongs_to_the_chain() -> None:
    """A chain declared gated renders, validates, checks and draws gated; an explicit layout still overrides."""
    gated = attrs.evolve(image_chain(), layout="gated")

    assert [p.name for p in gated.pipelines()] == ["Deploy to Staging", "Deploy to Production"]
    assert gated.render() == image_chain().render("gated")
    assert gated.validate() == []
    assert gated.check() is gated  # the default layout would fail: the judgment lives in another pipeline
    assert "Staging Judgement" not in gated.to_svg() and "Approve" in gated.to_svg()
    assert len(gated.pipelines("pipelines")) == 3
    assert any("another pipeline" in p.message for p in gated.validate("pipelines"))
    with pytest.raises(ValueError, match="layout must be one of"):
        PromotionChain(APP, artifact=ExpectedArtifact(display_name="m", match=GitHubFile(path="a")), layout="one")


def test_the_cli_uses_the_layout_the_chain_declares(tmp_path: Path) -> None:
    """`validate` and `render` without --layout use the chain's own layout; --layout overrides it."""
    from spinpromote.cli import main

    source = tmp_path / "gated.py"
    source.write_text(
        "import attrs\nfrom tests.test_chain import image_chain\nchain = attrs.evolve(image_chain(), layout='gated')\n"
    )

    assert main(["validate", str(source)]) == 0
    assert main(["validate", str(source), "--layout", "pipelines"]) == 1


def test_gate_plans_a_chain_in_the_layout_it_declares() -> None:
    """gate.plan(chain) creates the gated pipelines of a gated chain: two, the judgment inside production."""
    from spinpromote.gate import GateClient
    from spinpromote.testing import FakeGate

    gated = attrs.evolve(image_chain(), layout="gated")
    with FakeGate() as fake, GateClient(fake.url) as gate:
        plan = gate.plan(gated)

    assert sorted(change.name for change in plan.changes) == ["Deploy to Production", "Deploy to Staging"]
