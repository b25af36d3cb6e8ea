"""clouddriver's artifact account lookup before a fetch (ArtifactCredentialsRepository.getCredentialsForType,
runtime.md 6.3), and fetch errors that fail the stage instead of the simulator."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from spinpromote.sim import Spinnaker
from tests.sim._build import MANIFEST, github_file, pipeline

DEPLOY = {
    "type": "deployManifest",
    "name": "Deploy",
    "account": "prod",
    "source": "artifact",
    "manifestArtifactId": "m",
}


def deploy_with_account(account: str, spin: Spinnaker) -> Any:
    sha = spin.git.commit("acme/demo", branch="main", files={"k8s/web.yml": MANIFEST})
    expected = {"id": "m", "matchArtifact": {"type": "github/file", "name": "k8s/web.yml", "artifactAccount": account}}
    spin.save({**pipeline("P", DEPLOY), "expectedArtifacts": [expected]})
    execution_id = spin.trigger("demo", "P", {"artifacts": [github_file(version=sha)], "expectedArtifactIds": ["m"]})
    spin.settle()
    return spin.execution(execution_id)


def test_a_configured_account_that_handles_the_type_fetches() -> None:
    spin = Spinnaker(artifact_accounts={"github": ["github/file"], "gitlab": ["gitlab/file"]})

    run = deploy_with_account("github", spin)

    assert run.status == "SUCCEEDED" and len(spin.deployments()) == 1
    assert not any("not checked" in note for note in run.notes)


@pytest.mark.parametrize("account", ["github-artfacts", "gitlab"])
def test_an_unknown_account_or_one_without_the_type_fails_with_clouddrivers_message(account: str) -> None:
    spin = Spinnaker(artifact_accounts={"github": ["github/file"], "gitlab": ["gitlab/file"]})

    run = deploy_with_account(account, spin)

    assert run.status == "TERMINAL" and spin.deployments() == []
    assert run.error is not None
    assert f"Credentials '{account}' supporting artifact type 'github/file' cannot be found" in run.error


def test_by_default_any_account_is_accepted_with_a_note() -> None:
    spin = Spinnaker()

    run = deploy_with_account("github-artfacts", spin)

    assert run.status == "SUCCEEDED"
    assert [note for note in run.notes if "not checked" in note] == [
        "artifact account 'github-artfacts' not checked: give Spinnaker(artifact_accounts=...) to check accounts "
        "as clouddriver does"
    ]


def test_account_types_must_be_a_list() -> None:
    with pytest.raises(ValueError, match="give a list of artifact types"):
        Spinnaker(artifact_accounts={"github": "github/file"})


def test_a_bad_base64_reference_fails_the_stage() -> None:
    spin = Spinnaker()
    good = base64.b64encode(MANIFEST.encode()).decode()
    for name, reference in (("Good", good), ("Bad", "not base64!")):
        artifact = {"type": "embedded/base64", "name": "m", "reference": reference, "artifactAccount": "embedded"}
        stage = {**DEPLOY, "manifestArtifactId": None, "manifestArtifact": artifact}
        spin.save(pipeline(name, stage))
    good_run, bad_run = spin.run("demo", "Good"), spin.run("demo", "Bad")
    spin.settle()

    assert spin.execution(good_run.id).status == "SUCCEEDED"
    bad = spin.execution(bad_run.id)
    assert bad.status == "TERMINAL"
    assert bad.error is not None and "embedded/base64 reference is not valid base64" in bad.error
