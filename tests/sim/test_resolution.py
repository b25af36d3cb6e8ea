"""orca's artifact resolution at start and kork's matching (ArtifactUtils.java:204-298, ArtifactResolver.java,
ExpectedArtifact.java:74-148)."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote._artifact_match import artifact_matches as matches
from spinpromote.sim import Spinnaker, SpinnakerAnswer
from tests.sim._build import github_file, pipeline, wait


@pytest.mark.parametrize(
    ("match", "artifact", "expected"),
    [
        ({"type": "docker/image", "name": "gcr.io/acme/.*"}, {"type": "docker/image", "name": "gcr.io/acme/web"}, True),
        ({"type": "docker/image", "name": "gcr.io/acme"}, {"type": "docker/image", "name": "gcr.io/acme/web"}, False),
        ({"type": "github/file", "name": ""}, {"type": "github/file", "name": "a.yml"}, True),
        ({"type": "github/file", "artifactAccount": "gh"}, {"type": "github/file", "artifactAccount": "other"}, True),
        ({"type": "github/file", "version": "main"}, {"type": "github/file"}, False),
        ({"type": "embedded/base64", "name": "m"}, {"type": "remote/base64", "name": "m"}, True),
        ({"type": "docker/image", "name": "(bad"}, {"type": "docker/image", "name": "(bad"}, True),
        (None, {"type": "anything"}, True),
    ],
)
def test_kork_matching_field_by_field(match: dict[str, Any] | None, artifact: dict[str, Any], expected: bool) -> None:
    """Empty EA fields are wildcards; values are equal or a full regex; account is not compared; base64 types merge."""
    assert matches(match, artifact) is expected


def run_with(expected: list[dict[str, Any]], artifacts: list[dict[str, Any]], ids: list[str]) -> Any:
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "expectedArtifacts": expected})
    try:
        execution_id = spin.trigger("demo", "P", {"artifacts": artifacts, "expectedArtifactIds": ids})
    except SpinnakerAnswer as answer:  # a failure at start is what some tests expect
        execution_id = answer.execution_id
    assert execution_id is not None
    return spin.execution(execution_id)


EA = {"id": "m", "matchArtifact": {"type": "github/file", "name": "k8s/web.yml"}}


def test_listed_expected_artifacts_bind_from_the_trigger() -> None:
    """O1: EAs listed by the trigger are resolved; the bound EA is stored on it (ArtifactUtils.java:238-257)."""
    run = run_with([EA], [github_file(version="abc")], ["m"])
    assert run.status != "TERMINAL"
    (bound,) = run.trigger["resolvedExpectedArtifacts"]
    assert bound["boundArtifact"]["version"] == "abc"


def test_unlisted_expected_artifacts_without_fallback_stay_unbound() -> None:
    """O1: an EA neither listed nor with a default or prior fallback is not resolved, and that is no error."""
    run = run_with([EA], [], [])
    assert run.error is None and run.trigger["resolvedExpectedArtifacts"] == []


def test_unmatched_listed_artifact_fails_at_start_with_orca_message() -> None:
    """O5: ArtifactResolver.java:123-130 message; the execution is stored TERMINAL and Gate answers 400."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "expectedArtifacts": [EA]})
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.trigger("demo", "P", {"expectedArtifactIds": ["m"]})
    answer = caught.value
    assert answer.status == 400
    assert answer.message.startswith(
        "Unable to trigger pipeline (application: demo, pipelineNameOrId: P). Error: Unmatched expected artifact "
        "ExpectedArtifact(matchArtifact=Artifact(type=github/file, customKind=false, name=k8s/web.yml,"
    )
    assert answer.execution_id is not None
    stored = spin.execution_json(answer.execution_id)
    assert (stored["status"], stored["canceled"], stored["canceledBy"]) == ("TERMINAL", True, "system")
    assert stored["cancellationReason"].startswith("Failed on startup: Unmatched expected artifact")


def test_several_matches_fail_at_start() -> None:
    """O3: at start matches must be unique (ArtifactResolver.java:160-163)."""
    run = run_with([EA], [github_file(version="a"), github_file(version="b")], ["m"])
    assert run.status == "TERMINAL"
    assert run.error is not None and " matches multiple artifacts [Artifact(type=github/file" in run.error


def test_default_then_prior_order() -> None:
    """O2: current artifacts first, then the newest earlier run of the same config, then the default
    (ArtifactResolver.java:137-149, ArtifactUtils.java:290-298)."""
    prior_ea = {
        **EA,
        "usePriorArtifact": True,
        "useDefaultArtifact": True,
        "defaultArtifact": github_file(version="default"),
    }
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "expectedArtifacts": [prior_ea]})

    first = spin.execution(spin.trigger("demo", "P", {}))
    second = spin.execution(spin.trigger("demo", "P", {"artifacts": [github_file(version="pushed")]}))
    third = spin.execution(spin.trigger("demo", "P", {}))

    def bound(run: Any) -> str:
        return str(run.trigger["resolvedExpectedArtifacts"][0]["boundArtifact"]["version"])

    assert (bound(first), bound(second), bound(third)) == ("default", "pushed", "pushed")


def test_disabled_pipeline_fails_at_start() -> None:
    """OperationsController.groovy:245-247 (a manual start of a disabled pipeline)."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "disabled": True})
    run = spin.run("demo", "P")
    assert (run.status, run.error) == ("TERMINAL", "Pipeline is disabled and cannot be started.")
