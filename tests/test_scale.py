"""Huge, cyclic and downstream-first stage graphs: the same answers as a plain search, without recursion."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinpromote import Pipeline
from spinpromote._stage_graph import columns, components
from spinpromote.cli import EXIT_OK, main
from spinpromote.diagram import diagram
from spinpromote.validate import validate_pipeline

BIG = 5000  # far past the ~1,000 stages where the recursive versions ran out of stack


def deploy(ref: str, parents: list[str], produces: list[str], requires: list[str]) -> dict[str, Any]:
    stage: dict[str, Any] = {
        "type": "deployManifest",
        "refId": ref,
        "name": f"Deploy {ref}",
        "account": "prod",
        "cloudProvider": "kubernetes",
        "source": "text",
        "manifests": [{"kind": "Deployment"}],
        "moniker": {"app": "demo"},
        "requisiteStageRefIds": parents,
        "requiredArtifactIds": requires,
    }
    if produces:
        stage["expectedArtifacts"] = [
            {"id": ea_id, "matchArtifact": {"type": "docker/image", "name": ea_id}} for ea_id in produces
        ]
    return stage


def missing_by_search(document: dict[str, Any]) -> set[str]:
    """Paths of required artifacts that neither the pipeline nor any stage upstream provides, by brute force."""
    stages = document["stages"]
    declared = {ea["id"] for ea in document.get("expectedArtifacts", [])}
    by_ref = {stage["refId"]: index for index, stage in enumerate(stages)}
    missing = set()
    for index, stage in enumerate(stages):
        seen: set[int] = set()
        todo = [index]
        while todo:
            for parent in stages[todo.pop()]["requisiteStageRefIds"]:
                if parent in by_ref and by_ref[parent] not in seen:
                    seen.add(by_ref[parent])
                    todo.append(by_ref[parent])
        seen.discard(index)
        available = declared | {ea["id"] for i in seen for ea in stages[i].get("expectedArtifacts", [])}
        for position, ea_id in enumerate(stage["requiredArtifactIds"]):
            if ea_id not in available:
                missing.add(f"$.stages[{index}].requiredArtifactIds[{position}]")
    return missing


ARTIFACTS = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def stage_graphs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 8))
    refs = st.sampled_from([str(n) for n in range(1, count + 2)])  # count + 1 names no stage
    stages = [
        deploy(
            draw(refs) if draw(st.integers(0, 9)) == 0 else str(index + 1),  # sometimes a duplicate refId
            draw(st.lists(refs, max_size=3)),
            draw(st.lists(ARTIFACTS, max_size=2, unique=True)),
            draw(st.lists(ARTIFACTS, max_size=3)),
        )
        for index in range(count)
    ]
    declared = draw(st.lists(st.sampled_from(["a", "d"]), unique=True))
    expected = [{"id": ea_id, "matchArtifact": {"type": "docker/image", "name": ea_id}} for ea_id in declared]
    return {"application": "demo", "name": "graph", "expectedArtifacts": expected, "stages": stages}


@settings(max_examples=300, deadline=None)
@given(stage_graphs())
def test_what_each_stage_sees_matches_a_plain_search(document: dict[str, Any]) -> None:
    problems = validate_pipeline(Pipeline.from_dict(document))

    found = {problem.path for problem in problems if ".requiredArtifactIds[" in problem.path}
    assert found == missing_by_search(document)


def chain(count: int, *, reverse: bool = False, cycle: bool = False) -> dict[str, Any]:
    """Stage n+1 after stage n; each even stage requires what the stage before it produces."""
    stages = [
        deploy(
            str(index + 1),
            [str(index)] if index else [],
            [f"image-{index}"] if index % 2 == 0 else [],
            [f"image-{index - 1}"] if index % 2 else [],
        )
        for index in range(count)
    ]
    if cycle:
        stages[0]["requisiteStageRefIds"] = [str(count)]
    if reverse:
        stages.reverse()
    return {"application": "demo", "name": "chain", "stages": stages}


def test_a_downstream_first_chain_is_as_valid_as_the_chain() -> None:
    problems = validate_pipeline(Pipeline.from_dict(chain(BIG, reverse=True)))

    assert problems == []


def test_a_cycle_is_reported_once_with_its_stages() -> None:
    document = chain(4, cycle=True)
    document["stages"][2]["requiredArtifactIds"] = ["image-2"]  # its own: not upstream, even in a cycle

    problems = [str(problem) for problem in validate_pipeline(Pipeline.from_dict(document))]

    assert problems == [
        "error: 'chain' $.stages: no stage starts the pipeline: give one stage an empty requisiteStageRefIds",
        "error: 'chain' $.stages[0].requisiteStageRefIds: stages depend on each other in a cycle "
        "(1 -> 4 -> 3 -> 2 -> 1): orca cannot order them",
        "error: 'chain' $.stages[2].requiredArtifactIds[0]: no expected artifact 'image-2' is declared in the "
        "pipeline or produced by an upstream stage: declare it, or fix the id",
    ]


def test_a_huge_cycle_validates() -> None:
    problems = validate_pipeline(Pipeline.from_dict(chain(BIG, cycle=True)))

    assert [problem.path for problem in problems] == ["$.stages", "$.stages[0].requisiteStageRefIds"]


def test_components_come_upstream_first() -> None:
    parents = [[1], [2], [], [3], [0, 5], [4]]  # 2 -> 1 -> 0; 3 is in a self-loop; 4 and 5 in a cycle

    order = [sorted(component) for component in components(parents)]

    assert order.index([2]) < order.index([1]) < order.index([0]) < order.index([4, 5])
    assert [3] in order
    assert columns(parents) == [2, 1, 0, 0, 3, 3]


@pytest.mark.parametrize("shape", ["reversed", "cyclic"])
def test_diagrams_of_huge_graphs(shape: str) -> None:
    pipeline = Pipeline.from_dict(chain(BIG, reverse=shape == "reversed", cycle=shape == "cyclic"))

    drawing = diagram([pipeline])

    placed = {node.label: column for node, column, _ in drawing.boxes[0].nodes}
    if shape == "reversed":
        assert placed["Deploy 1"] == 0
        assert placed[f"Deploy {BIG}"] == BIG - 1
    else:
        assert set(placed.values()) == {0}  # one cycle: one column
    assert ET.fromstring(drawing.to_svg()).tag.endswith("svg")
    assert ET.fromstring(pipeline._repr_html_()).tag == "div"


def test_graph_command_on_a_huge_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cycle.json"
    source.write_text(json.dumps(chain(BIG, cycle=True)), encoding="utf-8")

    for fmt in ("svg", "mermaid", "dot"):
        assert main(["graph", str(source), "--format", fmt]) == EXIT_OK
        assert "Deploy 4999" in capsys.readouterr().out


def test_a_hundred_levels_of_nesting_validate() -> None:
    value: Any = "#stage('nowhere')"
    for level in range(96):  # with pipeline, stages and stage, within the codec's limit of 100 levels
        value = {"level": value} if level % 2 else [value]
    document = chain(2)
    document["stages"][0]["deep"] = value

    problems = validate_pipeline(Pipeline.from_dict(document))

    assert [problem.message.split(" names")[0] for problem in problems] == ["#stage('nowhere')"]
    assert problems[0].path.startswith("$.stages[0].deep.level[0].level[0]")
