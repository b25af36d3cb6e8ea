"""Diagrams: Mermaid, DOT and SVG show pipelines, stages, triggers and hand-offs; notebooks get HTML."""

from __future__ import annotations

import runpy
import xml.etree.ElementTree as ET

import pytest

from spinpromote import Pipeline, PromotionChain
from tests.conftest import ROOT, corpus_params, load

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def chain() -> PromotionChain:
    """The seed chain."""
    chain: PromotionChain = runpy.run_path(str(ROOT / "examples" / "artifact_promotion.py"))["chain"]
    return chain


def test_mermaid_shows_boxes_stages_and_handoffs(chain: PromotionChain) -> None:
    """One subgraph per pipeline, gates as hexagons, hand-offs as thick arrows naming the artifact."""
    text = chain.to_mermaid()

    assert text.startswith("flowchart LR\n")
    assert text.count("subgraph ") == 3
    assert '{{"Staging Judgement' in text
    assert 'p1 ==>|"on successful: demo-manifest"| p2' in text
    assert 'p0_t0(["git push acme/demo (main)"]):::trigger' in text


def test_dot_is_well_formed(chain: PromotionChain) -> None:
    """Clusters per pipeline; edges between clusters use lhead/ltail; braces balance."""
    text = chain.to_dot()

    assert text.count("subgraph cluster_") == 3
    assert "lhead=cluster_p2" in text
    assert "ltail=cluster_p1" in text
    assert text.count("{") == text.count("}")


def test_svg_parses_and_names_every_stage(chain: PromotionChain) -> None:
    """The SVG is valid XML; each stage has a title; gates are polygons, deploys rectangles."""
    root = ET.fromstring(chain.to_svg())
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    titles = [t.text for t in root.iter(f"{SVG}title")]

    assert root.tag == f"{SVG}svg"
    assert "Staging Judgement (manual judgment)" in titles
    assert "Deploy to Production (prod)" in titles
    assert groups["gate"].find(f"{SVG}polygon") is not None
    assert groups["deploy"].find(f"{SVG}rect") is not None
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "edge handoff"]) == 2


def test_find_handoff_is_drawn_dashed(chain: PromotionChain) -> None:
    """A find-artifact look-up is a dashed edge from the source pipeline."""
    finding = PromotionChain(chain.application, artifact=chain.artifact, handoff="find", steps=chain.steps)
    root = ET.fromstring(finding.to_svg())
    finds = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge find"]

    assert len(finds) == 1
    assert finds[0].find(f"{SVG}path").get("stroke-dasharray") == "6 4"  # type: ignore[union-attr]


def test_committed_readme_diagram_is_current(chain: PromotionChain) -> None:
    """docs/images/artifact_promotion.svg is what the example renders today (regenerate it on purpose)."""
    assert (ROOT / "docs" / "images" / "artifact_promotion.svg").read_text(encoding="utf-8") == chain.to_svg()


@pytest.mark.parametrize("path", corpus_params())
def test_every_corpus_pipeline_draws(path: object) -> None:
    """Real pipelines, joins and legacy shapes included, draw in all three formats."""
    pipeline = Pipeline.from_dict(load(path))  # type: ignore[arg-type]

    assert ET.fromstring(pipeline.to_svg()).tag == f"{SVG}svg"
    assert pipeline.to_mermaid().count("subgraph ") == 1
    assert pipeline.to_dot().count("subgraph cluster_") == 1


def test_notebook_display(chain: PromotionChain) -> None:
    """Jupyter shows the diagram and a table; the plain repr stays one short line."""
    html = chain._repr_html_()

    assert "<svg" in html
    assert html.count("<tr><td><b>") == 3
    assert repr(chain) == "<PromotionChain of 'artifact-promotion-demo': staging -> Staging Judgement -> production>"
    assert (
        repr(chain.pipelines()[0])
        == "<Pipeline 'Deploy to Staging' of 'artifact-promotion-demo': 1 trigger(s), 1 stage(s)>"
    )


def test_svg_scales_to_the_width_it_is_shown_at() -> None:
    """Width 100% with the natural width as the maximum and a viewBox: a narrow cell shrinks it, never cuts it."""
    chain = runpy.run_path(str(ROOT / "examples" / "multi_region.py"))["chain"]
    svg = chain.to_svg()
    head = svg[: svg.index(">")]

    assert 'width="100%"' in head and "height=" not in head.replace("height:auto", "")
    natural = int(head.split('viewBox="0 0 ')[1].split()[0])
    assert f"max-width:{natural}px" in head


def test_notebook_table_names_upstream_pipelines_not_ids() -> None:
    chain = runpy.run_path(str(ROOT / "examples" / "artifact_promotion.py"))["chain"]
    html = chain._repr_html_()

    assert "<td>after &#x27;Deploy to Staging&#x27; (successful)</td>" in html
    assert all(p.id not in html.split("<table")[1] for p in chain.pipelines() if p.id)
