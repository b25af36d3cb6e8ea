"""What pinning relies on in the simulator: SpEL selection, and Deploy (Manifest) keeping what it resolved."""

from __future__ import annotations

import pytest

from spinpromote.sim import Spinnaker
from spinpromote.sim.spel import EvaluationError, Scope, evaluate
from tests.sim._build import APP, MANIFEST, github_file, pipeline

STAGES = [{"refId": "1", "name": "a", "n": 1}, {"refId": "2", "name": "b", "n": 2}, {"refId": "3", "name": "b", "n": 3}]


def test_selection_reads_names_from_each_element() -> None:
    """Spring's Selection: `.?[...]` keeps every element the predicate is true for, `.^[...]` the first."""
    scope = Scope({"stages": STAGES, "name": "outer"})

    assert [s["n"] for s in evaluate("stages.?[name == 'b']", scope)] == [2, 3]
    assert evaluate("stages.^[name == 'b'].n", scope) == 2
    assert evaluate("stages.^[name == 'outer']", scope) is None
    assert evaluate("stages.?[n > 1].size()", scope) == 2
    with pytest.raises(EvaluationError):
        evaluate("stages.?[name]", scope)  # a predicate must be boolean


def deploy(**fields: object) -> dict[str, object]:
    return {"type": "deployManifest", "account": "staging", "cloudProvider": "kubernetes", **fields}


def test_a_deploy_keeps_the_manifests_it_resolved_and_a_later_deploy_carries_them() -> None:
    """ResolveDeploySourceManifestTask.java:73-79 writes `manifests` to the context; a text deploy whose item
    resolves to that list deploys it (flattenNestedLists)."""
    text = MANIFEST + "---\nkind: Service\nmetadata:\n  name: web\n"
    spin = Spinnaker()
    spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": text})
    artifact = github_file(version="main", artifactAccount="github")
    carry = "${#stage('First').context.manifests}"
    spin.save(
        pipeline(
            "Carry",
            deploy(name="First", source="artifact", manifestArtifact=artifact),
            deploy(name="Second", account="prod", source="text", manifests=[carry]),
        )
    )
    run = spin.run(APP, "Carry")
    spin.settle()

    first, second = spin.deployments()
    assert spin.execution(run.id).status == "SUCCEEDED"
    assert second.content == first.content == text
    assert [created["type"] for created in spin.execution_json(run.id)["stages"][1]["outputs"]["artifacts"]] == [
        "kubernetes/deployment",
        "kubernetes/service",
    ]
    assert len(spin.execution_json(run.id)["stages"][0]["context"]["manifests"]) == 2
