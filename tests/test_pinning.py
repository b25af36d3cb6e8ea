"""Production deploys what staging ran: the manifest content is carried down the chain, and the hand-off
has no race. Proven in the simulator, in every layout."""

from __future__ import annotations

import attrs
import pytest

from spinpromote import PromotionChain
from spinpromote.sim import DockerPush, Spinnaker
from tests.shop import APP, DOCKER, IMAGE, MANIFEST
from tests.shop import web as manifest


def chain(layout: str = "pipelines", **options: object) -> PromotionChain:
    return attrs.evolve(
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[IMAGE], layout=layout, **options)  # type: ignore[arg-type]
        .trigger(DOCKER)
        .deploy("staging", account="staging")
        .judge("Approve")
        .deploy("production", account="prod")
    )


def push_image(spin: Spinnaker, tag: str) -> None:
    spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag=tag, account="gcr"))
    spin.settle()


def waiting_judgments(spin: Spinnaker) -> list[str]:
    return [
        e.id
        for e in spin.executions(APP)
        if e.status == "RUNNING" and any(s.name == "Approve" and s.status == "RUNNING" for s in e.stages)
    ]


def approve(spin: Spinnaker, execution_id: str) -> None:
    spin.judge(execution_id, "Approve", "continue")
    spin.settle()


@pytest.mark.parametrize("layout", ["pipelines", "gated", "single"])
def test_a_manifest_change_pushed_after_staging_does_not_reach_production(layout: str) -> None:
    """Staging deploys commit c1 of the manifest; c2 lands on main; the judgment continues; production
    deploys c1's content, with the image staging ran."""
    spin = Spinnaker()
    spin.save(chain(layout))
    c1 = spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(2)})
    push_image(spin, "v1")
    (judgment,) = waiting_judgments(spin)
    c2 = spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(50)})

    approve(spin, judgment)

    staging, production = spin.deployments()
    assert staging.manifest is not None and staging.manifest.version == c1 != c2
    assert (staging.account, production.account) == ("staging", "prod")
    assert "replicas: 2" in production.content and "replicas: 50" not in production.content
    assert production.content == staging.content
    assert "image: gcr.io/acme/web:v1" in production.content
    assert [image.reference for image in production.images] == ["gcr.io/acme/web:v1"]
    assert all(e.status == "SUCCEEDED" for e in spin.executions(APP))


def test_unpinned_production_deploys_the_tip_of_the_branch() -> None:
    """pin=False: production re-fetches main and ships the untested c2; validation warns about it."""
    unpinned = chain(pin=False)
    spin = Spinnaker()
    spin.save(unpinned)
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(2)})
    push_image(spin, "v1")
    (judgment,) = waiting_judgments(spin)
    c2 = spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(50)})

    approve(spin, judgment)

    production = spin.deployments()[-1]
    assert production.manifest is not None and production.manifest.version == c2
    assert "replicas: 50" in production.content
    (warning,) = unpinned.validate()
    assert warning.severity == "warning" and warning.pipeline == "Deploy to Production"
    assert warning.path == "$.stages[0].manifestArtifactId" and "pin=False" in warning.message
    assert chain().validate() == []


@pytest.mark.parametrize("layout", ["pipelines", "gated"])
def test_approving_v1_after_v2_passed_staging_deploys_v1(layout: str) -> None:
    """Two versions wait for a judgment; approving the older one deploys it: its image and its manifest."""
    spin = Spinnaker()
    spin.save(chain(layout))
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(2)})
    push_image(spin, "v1")
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(3)})
    push_image(spin, "v2")
    v1_judgment = waiting_judgments(spin)[0]  # the pipelines layout queues v2's judgment run behind it
    assert [d.images[0].reference for d in spin.deployments()] == ["gcr.io/acme/web:v1", "gcr.io/acme/web:v2"]

    approve(spin, v1_judgment)

    production = spin.deployments()[-1]
    assert production.account == "prod"
    assert [image.reference for image in production.images] == ["gcr.io/acme/web:v1"]
    assert "replicas: 2" in production.content and "image: gcr.io/acme/web:v1" in production.content
    (v2_judgment,) = waiting_judgments(spin)
    approve(spin, v2_judgment)
    assert [image.reference for image in spin.deployments()[-1].images] == ["gcr.io/acme/web:v2"]
    assert "replicas: 3" in spin.deployments()[-1].content


def test_find_after_a_judgment_pipeline_is_an_error_and_gated_find_deploys_what_was_approved() -> None:
    """handoff='find' reads the latest successful staging run when the Find stage runs. After a judgment in
    a pipeline of its own that is not the approved one (tests/sim/test_misbehaviours.py shows v2 shipping);
    in the gated layout the Find stage runs when staging hands over, before the judgment, so v1 ships."""
    problems = chain(handoff="find").validate()
    assert [(p.pipeline, p.path, p.severity) for p in problems] == [
        ("Deploy to Production", "$.stages[0].pipeline", "error")
    ]
    assert "handoff='trigger'" in problems[0].message

    gated = chain("gated", handoff="find")
    assert gated.validate() == []
    spin = Spinnaker()
    spin.save(gated)
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(2)})
    push_image(spin, "v1")
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": manifest(3)})
    push_image(spin, "v2")

    approve(spin, waiting_judgments(spin)[0])

    production = spin.deployments()[-1]
    assert production.account == "prod"
    assert [image.reference for image in production.images] == ["gcr.io/acme/web:v1"]
    assert "replicas: 2" in production.content


def test_a_deploy_the_chain_cannot_pin_is_an_error() -> None:
    """A stage of production's own that fetches the manifest at main again cannot be pinned: an error."""
    from spinpromote import DeployManifest, expected_artifact_id

    again = DeployManifest(
        name="Deploy config again", account="prod", manifest_artifact_id=expected_artifact_id(APP, "manifest")
    )
    unpinnable = (
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[IMAGE])
        .trigger(DOCKER)
        .deploy("staging", account="staging")
        .deploy("production", account="prod", after=[again])
    )

    (problem,) = unpinnable.validate()
    assert (problem.pipeline, problem.path, problem.severity) == (
        "Deploy to Production",
        "$.stages[1].manifestArtifactId",
        "error",
    )
    assert "k8s/web.yml at 'main'" in problem.message and "commit SHA" in problem.message
