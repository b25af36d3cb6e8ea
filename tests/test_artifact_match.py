"""kork's ExpectedArtifact.matches, one implementation for the client and the simulator (runtime.md 2.4)."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote._artifact_match import InvalidPattern, artifact_matches
from spinpromote.gate._artifacts import expected_artifact_ids
from spinpromote.sim import DockerPush, Spinnaker, SpinnakerAnswer
from tests.sim._build import pipeline, wait

IMAGE = {"type": "docker/image", "name": "gcr.io/acme/web", "reference": "gcr.io/acme/web:v2"}


@pytest.mark.parametrize(
    ("match", "artifact", "expected"),
    [
        ({"type": "docker/image", "version": ".*"}, IMAGE, False),  # a null incoming value never matches
        ({"type": "docker/image", "version": ""}, IMAGE, True),  # an empty expected value is a wildcard
        ({"type": "embedded/base64"}, {"type": "remote/base64", "reference": "eA=="}, True),
        ({"type": "remote/base64"}, {"type": "embedded/base64", "reference": "eA=="}, True),
        ({"type": "embedded/.*"}, {"type": "remote/base64"}, False),
        ({"type": "embedded/base64", "reference": "a+b=="}, {"type": "embedded/base64", "reference": "a+b=="}, True),
        ({"type": "docker/image", "name": "(bad"}, {"type": "docker/image", "name": "(bad"}, True),
        ({"type": "docker/image", "name": "gcr.io/acme"}, IMAGE, False),  # the whole value must match
    ],
)
def test_the_client_and_the_simulator_decide_alike(
    match: dict[str, Any], artifact: dict[str, Any], expected: bool
) -> None:
    config = {"expectedArtifacts": [{"id": "ea", "matchArtifact": match}]}
    assert artifact_matches(match, artifact) is expected
    assert (expected_artifact_ids(config, [artifact]) == ["ea"]) is expected

    # FakeGate's orca binds the listed EA at start only when it matches; otherwise the start fails
    spin = Spinnaker()
    spin.save(pipeline("P", wait("w"), **config))
    try:
        spin.trigger("demo", "P", {"artifacts": [artifact], "expectedArtifactIds": ["ea"]})
        bound = True
    except SpinnakerAnswer as answer:
        assert "Unmatched expected artifact" in answer.message
        bound = False
    assert bound is expected


def test_an_invalid_regex_raises_unless_the_strings_are_equal() -> None:
    with pytest.raises(InvalidPattern, match=r"matchArtifact.name '\(bad' is not a valid regex"):
        artifact_matches({"name": "(bad"}, {"name": "other"})


def test_the_client_lists_an_id_whose_regex_python_cannot_read_and_lets_orca_decide() -> None:
    config = {"expectedArtifacts": [{"id": "ea", "matchArtifact": {"name": r"\p{Alpha}+"}}]}

    assert expected_artifact_ids(config, [{"name": "web"}]) == ["ea"]


def test_an_invalid_regex_fails_the_start_in_the_simulator_with_a_note() -> None:
    """Pattern.compile throws inside ExpectedArtifact.matches; at start that is ExecutionLauncher's failure."""
    spin = Spinnaker()
    expected = {"id": "ea", "matchArtifact": {"type": "docker/image", "name": "(bad"}}
    spin.save(pipeline("P", wait("w"), expectedArtifacts=[expected]))

    with pytest.raises(SpinnakerAnswer) as refused:
        spin.trigger("demo", "P", {"artifacts": [IMAGE], "expectedArtifactIds": ["ea"]})

    assert refused.value.execution_id is not None
    run = spin.execution(refused.value.execution_id)
    assert run.status == "TERMINAL" and all(stage.status == "NOT_STARTED" for stage in run.stages)
    assert run.error is not None and "'(bad' is not a valid regex" in run.error
    assert any("Java's may accept it" in note for note in run.notes)


def test_echo_drops_a_trigger_whose_artifact_gate_throws() -> None:
    """BaseTriggerEventHandler.java:65-153: an exception in the artifact gate drops the trigger, no execution."""
    spin = Spinnaker()
    trigger = {"type": "docker", "enabled": True, "account": "gcr", "repository": "acme/web"}
    spin.save(
        pipeline(
            "P",
            wait("w"),
            triggers=[{**trigger, "expectedArtifactIds": ["ea"]}],
            expectedArtifacts=[{"id": "ea", "matchArtifact": {"type": "docker/image", "name": "(bad"}}],
        )
    )

    assert spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr")) == []
    assert any("is not a valid regex" in line for line in spin.timeline())
