"""deploy(verify=..., on_failure="rollback"): a failing check in staging rolls staging back, and production never
starts. Proven in the simulator with scripted outcomes."""

from __future__ import annotations

import pytest

from spinpromote import DeployManifest, KayentaCanary, Pipeline, PromotionChain, RunJobManifest, Webhook
from spinpromote.sim import DockerPush, Spinnaker
from tests.shop import APP, DOCKER, IMAGE, MANIFEST, web

TEXT = web()
SMOKE = Webhook(name="Smoke tests", url="https://ci.example.com/smoke", method="POST")


def chain(on_failure: str = "rollback", verify: Webhook | KayentaCanary | RunJobManifest = SMOKE) -> PromotionChain:
    return (
        PromotionChain(APP, artifact=MANIFEST, required_artifacts=[IMAGE])
        .trigger(DOCKER)
        .deploy(
            "staging",
            account="staging",
            namespace="shop",
            verify=verify,
            on_failure=on_failure,  # type: ignore[arg-type]
            workload="deployment web",
        )
        .judge("Approve")
        .deploy("production", account="prod", namespace="shop")
    )


def released(spin: Spinnaker) -> None:
    """An earlier release of the workload in staging, so there is a revision to go back to."""
    earlier = Pipeline(
        application=APP,
        name="Earlier release",
        stages=[DeployManifest(ref_id="1", account="staging", namespace_override="shop", manifests=[])],
    ).to_dict()
    earlier["stages"][0]["manifests"] = [TEXT]
    spin.save(earlier)
    spin.run(APP, "Earlier release")
    spin.settle()


def test_a_failing_smoke_test_rolls_staging_back_and_production_never_starts() -> None:
    spin = Spinnaker(outcomes={"Smoke tests": "TERMINAL"})
    spin.save(chain())
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})
    released(spin)

    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    spin.settle()

    run = spin.execution(run.id)
    assert run.status == "TERMINAL"
    assert [(s.name, s.status) for s in run.stages] == [
        ("Deploy to Staging", "SUCCEEDED"),
        ("Smoke tests", "FAILED_CONTINUE"),
        ("Roll back Deploy to Staging", "SUCCEEDED"),
        ("Verify Deploy to Staging", "TERMINAL"),
    ]
    (rollback,) = spin.rollbacks()
    assert (rollback.account, rollback.namespace, rollback.manifest_name) == ("staging", "shop", "deployment web")
    assert spin.executions(APP, pipeline="Approve") == []
    assert [d.account for d in spin.deployments()] == ["staging", "staging"]


def test_a_passing_smoke_test_skips_the_rollback_and_hands_over() -> None:
    spin = Spinnaker()
    spin.save(chain())
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})

    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    spin.settle()

    run = spin.execution(run.id)
    assert run.status == "SUCCEEDED"
    assert run.stage("Roll back Deploy to Staging").status == "SKIPPED"
    assert spin.rollbacks() == []
    assert [e.status for e in spin.executions(APP, pipeline="Approve")] == ["RUNNING"]
    assert chain().validate() == []


def test_without_rollback_a_failing_check_fails_the_pipeline_and_nothing_is_undone() -> None:
    spin = Spinnaker(outcomes={"Smoke tests": "TERMINAL"})
    spin.save(chain("fail"))
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})

    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    spin.settle()

    assert spin.execution(run.id).status == "TERMINAL"
    assert spin.rollbacks() == [] and spin.executions(APP, pipeline="Approve") == []


def test_rollback_needs_a_workload_and_namespaces() -> None:
    base = PromotionChain(APP, artifact=MANIFEST)
    with pytest.raises(ValueError, match="workload="):
        base.deploy("staging", account="staging", namespace="shop", on_failure="rollback")
    with pytest.raises(ValueError, match="namespace"):
        base.deploy("staging", account="staging", on_failure="rollback", workload="deployment web")


@pytest.mark.parametrize(
    "check",
    [
        KayentaCanary(name="Canary analysis", canary_config={"canaryConfigId": "web", "lifetimeDuration": "PT0H30M"}),
        RunJobManifest(
            name="Integration job",
            account="staging",
            manifest={"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "it", "namespace": "shop"}},
        ),
    ],
    ids=["kayenta", "run-job"],
)
def test_any_check_that_fails_rolls_back(check: KayentaCanary | RunJobManifest) -> None:
    """A canary or a test Job as the check: scripted to fail, staging is rolled back and nothing is handed on."""
    checked = chain(verify=check)
    assert checked.validate() == []
    spin = Spinnaker(outcomes={str(check.name): "TERMINAL"})
    spin.save(checked)
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})
    released(spin)

    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    spin.settle()

    assert spin.execution(run.id).status == "TERMINAL"
    assert spin.execution(run.id).stage(str(check.name)).status == "FAILED_CONTINUE"
    assert [r.manifest_name for r in spin.rollbacks()] == ["deployment web"]
    assert spin.executions(APP, pipeline="Approve") == []
