"""gate.environments / `spinpromote status`: where each version is, from the chain's executions (simulated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinpromote import PromotionChain, Target
from spinpromote.environments import environments
from spinpromote.sim import DockerPush, Spinnaker
from tests.shop import APP, DOCKER, IMAGE, MANIFEST, web

TEXT = web()
CHAIN = (
    PromotionChain(APP, artifact=MANIFEST, required_artifacts=[IMAGE])
    .trigger(DOCKER)
    .deploy("staging", account="staging")
    .judge("Approve")
    .deploy("production", targets=[Target(account="prod-us", label="us"), Target(account="prod-eu", label="eu")])
)


def pushed(spin: Spinnaker, tag: str) -> None:
    spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag=tag, account="gcr"))
    spin.settle()


def executions(spin: Spinnaker) -> list[dict[str, object]]:
    return [spin.execution_json(e.id) for e in spin.executions(APP)]


def test_each_environment_shows_what_it_runs_and_what_waits() -> None:
    """v1 approved and in production; v2 in staging, waiting for the judgment."""
    spin = Spinnaker()
    spin.save(CHAIN)
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})
    pushed(spin, "v1")
    v1_judgment = next(e for e in spin.executions(APP) if e.pipeline_name == "Approve")
    spin.judge(v1_judgment, "Approve", "continue")
    spin.settle()
    pushed(spin, "v2")

    staging, production = environments(CHAIN, executions(spin))

    assert staging.name == "staging" and list(staging.targets) == ["staging"]
    deployed = staging.targets["staging"]
    assert deployed is not None and "docker/image gcr.io/acme/web:v2" in deployed.versions
    assert deployed.pipeline == "Deploy to Staging" and deployed.time is not None
    assert staging.waiting == ()
    assert list(production.targets) == ["us", "eu"]
    for target in production.targets.values():
        assert target is not None and "docker/image gcr.io/acme/web:v1" in target.versions
        assert target.pipeline == "Deploy to Production"
    (waiting,) = production.waiting
    assert (waiting.judgment, waiting.pipeline) == ("Approve", "Approve")
    assert "docker/image gcr.io/acme/web:v2" in waiting.versions
    assert waiting.execution_id == spin.executions(APP, pipeline="Approve")[-1].id


def test_nothing_deployed_yet_and_other_pipelines_ignored() -> None:
    spin = Spinnaker()
    spin.save(CHAIN)
    spin.save({"application": APP, "name": "Unrelated", "stages": [{"refId": "1", "type": "wait", "waitTime": 1}]})
    spin.run(APP, "Unrelated")
    spin.advance(5)

    statuses = environments(CHAIN, executions(spin))

    assert [(s.name, dict(s.targets), s.waiting) for s in statuses] == [
        ("staging", {"staging": None}, ()),
        ("production", {"us": None, "eu": None}, ()),
    ]


def test_gate_environments_and_the_status_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GateClient.environments reads the configs and their executions from FakeGate (the simulator behind it);
    `spinpromote status` prints them."""
    from spinpromote.cli import main
    from spinpromote.gate import GateClient
    from spinpromote.testing import FakeGate

    spin = Spinnaker()
    spin.save(CHAIN)
    spin.git.commit("acme/shop", branch="main", files={"k8s/web.yml": TEXT})
    pushed(spin, "v1")
    with FakeGate(spinnaker=spin) as fake:
        with GateClient(fake.url) as client:
            staging, production = client.environments(CHAIN, limit=5)
        source = tmp_path / "chain.py"
        source.write_text("from tests.test_environments import CHAIN as chain\n")
        assert main(["status", str(source), "--gate", fake.url]) == 0
        assert any(r.path == "/executions" and r.query.get("limit") == "5" for r in fake.requests)

    deployed = staging.targets["staging"]
    assert deployed is not None and "docker/image gcr.io/acme/web:v1" in deployed.versions
    assert production.targets == {"us": None, "eu": None} and len(production.waiting) == 1
    out = capsys.readouterr().out
    assert "  staging\n    staging: " in out and "gcr.io/acme/web:v1" in out
    assert "    us: nothing deployed yet" in out
    assert "waiting for judgment 'Approve' since" in out
