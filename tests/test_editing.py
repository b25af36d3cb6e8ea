"""Editing a parsed pipeline: insert, replace and remove stages by object, name or refId, graph rewired."""

from __future__ import annotations

import json

import attrs
import pytest

from spinpromote import DeployManifest, ManualJudgment, Pipeline, ScaleManifest, Wait
from tests.conftest import CORPUS

BLUEGREEN = CORPUS / "03_solutions-bluegreen.json"  # Deploy (1) -> Disable (2) -> Scale (3)
needs_corpus = pytest.mark.skipif(not BLUEGREEN.is_file(), reason=f"no corpus at {CORPUS}")


def graph(pipeline: Pipeline) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    return [(stage.name, stage.ref_id, stage.requisite_stage_ref_ids) for stage in pipeline.stages]


def fan() -> Pipeline:
    """start -> (left, right) -> join."""
    return Pipeline(
        application="demo",
        name="fan",
        stages=[
            Wait(ref_id="1", name="start", wait_time=1),
            Wait(ref_id="2", name="left", wait_time=1, requisite_stage_ref_ids=["1"]),
            Wait(ref_id="3", name="right", wait_time=1, requisite_stage_ref_ids=["1"]),
            ManualJudgment(ref_id="4", name="join", requisite_stage_ref_ids=["2", "3"]),
        ],
    )


@needs_corpus
def test_insert_a_judgment_before_the_first_deploy_of_a_real_pipeline() -> None:
    """The new stage takes the deploy's parents and the next free refId; the rest of the JSON is untouched."""
    original = Pipeline.from_json(BLUEGREEN.read_bytes())
    before = json.loads(BLUEGREEN.read_text(encoding="utf-8"))

    edited = original.insert_before(original.stages_of(DeployManifest)[0], ManualJudgment(name="Approve"))

    assert graph(edited)[:2] == [("Approve", "4", ()), ("Deploy (Manifest)", "1", ("4",))]
    assert edited.validate() == []
    after = edited.to_dict()
    assert after["stages"][2:] == before["stages"][1:]
    assert list(after["stages"][1]) == list(before["stages"][0])  # the deploy keeps its key order
    assert {key: value for key, value in after.items() if key != "stages"} == {
        key: value for key, value in before.items() if key != "stages"
    }
    assert original.to_dict() == before  # the original is unchanged


def test_insert_after_takes_over_the_children() -> None:
    """Every stage that depended on the old one now depends on the new one."""
    edited = fan().insert_after("start", Wait(name="settle", wait_time=5))

    assert graph(edited) == [
        ("start", "1", ()),
        ("settle", "5", ("1",)),
        ("left", "2", ("5",)),
        ("right", "3", ("5",)),
        ("join", "4", ("2", "3")),
    ]
    assert edited.validate() == []


def test_insert_before_a_join_keeps_both_parents() -> None:
    """Inserted before a join, the new stage waits for both branches; the join then waits for it."""
    edited = fan().insert_before("4", Wait(name="gather", wait_time=1))

    assert graph(edited)[3:] == [("gather", "5", ("2", "3")), ("join", "4", ("5",))]


def test_replace_keeps_ref_id_and_requisites() -> None:
    """A replacement stands where the old stage stood."""
    edited = fan().replace_stage("left", ManualJudgment(name="check", ref_id="99"))

    assert graph(edited)[1] == ("check", "2", ("1",))
    assert isinstance(edited.stages[1], ManualJudgment)


def test_remove_hands_the_children_to_the_parents() -> None:
    """Children of a removed stage depend on its parents instead, without duplicates."""
    edited = fan().remove_stage("start").remove_stage("left")

    assert graph(edited) == [("right", "3", ()), ("join", "4", ("3",))]
    assert graph(fan().remove_stage("join"))[-1] == ("right", "3", ("1",))


def test_map_stages_and_stages_of() -> None:
    """map_stages edits every stage; stages_of picks stages by class."""
    pipeline = fan()
    longer = pipeline.map_stages(lambda s: attrs.evolve(s, wait_time=60) if isinstance(s, Wait) else s)

    assert [s.wait_time for s in longer.stages_of(Wait)] == [60, 60, 60]
    assert longer.stages_of(ScaleManifest) == ()
    assert longer.stages[3] is pipeline.stages[3]


def test_stages_are_found_by_object_name_or_ref_id() -> None:
    """The same stage, named three ways."""
    pipeline = fan()
    left = pipeline.stages[1]

    for name in (left, "left", "2"):
        assert graph(pipeline.remove_stage(name)) == graph(pipeline.remove_stage("left"))


def test_a_missing_or_ambiguous_stage_is_a_clear_error() -> None:
    """Not found lists the stages there are; two matches ask for the refId."""
    pipeline = fan()
    twins = pipeline.map_stages(lambda s: attrs.evolve(s, name="same") if s.ref_id in ("2", "3") else s)

    with pytest.raises(KeyError, match=r"no stage named or with refId 'deploy'.*'start' \(refId '1'\)"):
        pipeline.insert_before("deploy", Wait(wait_time=1))
    with pytest.raises(ValueError, match=r"ambiguous.*stages\[1\].*stages\[2\].*refId"):
        twins.remove_stage("same")
    with pytest.raises(KeyError, match="no stage 'elsewhere'"):
        pipeline.remove_stage(Wait(name="elsewhere", ref_id="1"))
