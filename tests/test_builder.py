"""PipelineBuilder: refIds, parallel branches and joins, derived ids, monikers."""

from __future__ import annotations

import pytest

from spinpromote import (
    DeployManifest,
    ExpectedArtifact,
    GitHubFile,
    ManualJudgment,
    Moniker,
    PipelineBuilder,
    Wait,
    expected_artifact_id,
    pipeline_id,
)


def test_ref_ids_parallel_branches_and_join() -> None:
    """Two branches after a start stage, joined by a third; refIds in the order added."""
    builder = PipelineBuilder("demo", "Fan out")
    start = builder.add(Wait(name="start", wait_time=1))
    left = builder.add(Wait(name="left", wait_time=1), depends_on=[start])
    right = builder.add(Wait(name="right", wait_time=1), depends_on=[start])
    builder.add(ManualJudgment(name="join"), depends_on=[left, right])
    pipeline = builder.build()

    assert [(s.ref_id, s.requisite_stage_ref_ids) for s in pipeline.stages or ()] == [
        ("1", ()),
        ("2", ("1",)),
        ("3", ("1",)),
        ("4", ("2", "3")),
    ]
    assert pipeline.validate() == []


def test_then_chains_in_sequence() -> None:
    """then() depends on the stage added last."""
    builder = PipelineBuilder("demo", "Sequence")
    builder.then(Wait(wait_time=1))
    builder.then(Wait(wait_time=2))

    assert builder.build().stages[1].requisite_stage_ref_ids == ("1",)  # type: ignore[index]


def test_ids_are_derived_and_stable() -> None:
    """The pipeline id comes from app and name; expected artifacts get ids from their display names."""
    builder = PipelineBuilder("demo", "Deploy")
    artifact = builder.expect(ExpectedArtifact(display_name="m", match=GitHubFile(path="a", artifact_account="g")))

    assert builder.build().id == pipeline_id("demo", "Deploy")
    assert artifact.id == expected_artifact_id("demo", "m")
    with pytest.raises(ValueError, match="already expects"):
        builder.expect(ExpectedArtifact(display_name="m", match=GitHubFile(path="b")))


def test_moniker_is_filled_from_the_application() -> None:
    """Deploy stages without a moniker get moniker.app, as Deck sets it; a given one is kept."""
    builder = PipelineBuilder("demo", "Deploy")
    filled = builder.add(DeployManifest(account="a", manifests=[{"kind": "Namespace"}]))
    kept = builder.add(DeployManifest(account="a", manifests=[{"kind": "Namespace"}], moniker=Moniker(app="other")))

    assert filled.moniker == Moniker(app="demo")
    assert kept.moniker == Moniker(app="other")


def test_depending_on_an_unknown_stage_fails() -> None:
    """A dependency must have been added to this builder."""
    builder = PipelineBuilder("demo", "Deploy")

    with pytest.raises(ValueError, match="not in 'Deploy'"):
        builder.add(Wait(wait_time=1), depends_on=["7"])
    with pytest.raises(ValueError, match="no refId"):
        builder.add(Wait(wait_time=1), depends_on=[Wait(wait_time=1)])
