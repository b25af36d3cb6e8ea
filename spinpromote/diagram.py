"""Diagrams of pipelines and chains: Mermaid, Graphviz DOT, and an SVG drawn without any dependency.

Every diagram shows the same graph: pipelines as boxes holding their stages, stage dependencies inside,
pipeline triggers (with the artifacts they hand down) and artifact look-ups between pipelines, and the
triggers that start the first pipeline. Gates (judgments, waits, checks) look different from deploys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from spinpromote import model
from spinpromote._stage_graph import columns, stage_parents
from spinpromote._terminal import printable
from spinpromote.model.references import PIPELINE_REFERENCE_STAGES

__all__ = ["PALETTE", "TEXT", "Diagram", "diagram", "safe_text", "trigger_label"]

# Fill and stroke of each kind of node, shared by the Mermaid, DOT and SVG renderings; TEXT is the label colour.
PALETTE: dict[str, tuple[str, str]] = {
    "deploy": ("#dbeafe", "#1d4ed8"),
    "gate": ("#fef3c7", "#b45309"),
    "stage": ("#f1f5f9", "#475569"),
    "trigger": ("#ecfdf5", "#047857"),
}
TEXT = "#0f172a"
_DOT_SHAPES = {"gate": ", shape=hexagon, style=filled", "trigger": ", shape=ellipse, style=filled"}
_GATE_TYPES = {"manualJudgment", "wait", "webhook", "checkPreconditions", "pipeline", "runJobManifest"}
_DEPLOY_TYPES = {"deployManifest"}


@attrs.frozen(kw_only=True)
class Node:
    """A stage, or a trigger outside any pipeline."""

    id: str
    label: str
    detail: str
    kind: str  # deploy | gate | stage | trigger


@attrs.frozen(kw_only=True)
class Box:
    """A pipeline and its stages, each with its column and row in the stage graph."""

    id: str
    title: str
    nodes: tuple[tuple[Node, int, int], ...]


@attrs.frozen(kw_only=True)
class Edge:
    """An arrow between nodes or boxes; ``label`` names what flows along it."""

    source: str
    target: str
    label: str = ""
    kind: str = "stage"  # stage | trigger | handoff | find


@attrs.frozen(kw_only=True)
class Diagram:
    """The graph behind every rendering. Build it with `diagram`."""

    boxes: tuple[Box, ...]
    outside: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def to_mermaid(self) -> str:
        """Mermaid ``flowchart`` text (GitHub and most Markdown tools render it)."""
        lines = ["flowchart LR"]
        for node in self.outside:
            lines.append(f'    {node.id}(["{_mermaid_text(node.label)}"]):::trigger')
        for box in self.boxes:
            lines.append(f'    subgraph {box.id}["{_mermaid_text(box.title)}"]')
            lines.append("        direction LR")
            for node, _, _ in box.nodes:
                text = _mermaid_text(node.label) + (
                    f"<br/><small>{_mermaid_text(node.detail)}</small>" if node.detail else ""
                )
                shape = ('{{"', '"}}') if node.kind == "gate" else ('["', '"]')
                lines.append(f"        {node.id}{shape[0]}{text}{shape[1]}:::{node.kind}")
            lines.append("    end")
        for edge in self.edges:
            arrow = {"stage": "-->", "trigger": "-->", "handoff": "==>", "find": "-.->"}[edge.kind]
            label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
            lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
        lines += [
            f"    classDef {kind} fill:{fill},stroke:{stroke},color:{TEXT}" for kind, (fill, stroke) in PALETTE.items()
        ]
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        """Graphviz DOT text (``dot -Tsvg``)."""
        lines = [
            "digraph spinpromote {",
            "  rankdir=LR; compound=true; fontname=Helvetica;",
            '  node [fontname=Helvetica, fontsize=11, style="rounded,filled", shape=box];',
            "  edge [fontname=Helvetica, fontsize=10];",
        ]
        styles = {
            kind: f'fillcolor="{fill}", color="{stroke}"{_DOT_SHAPES.get(kind, "")}'
            for kind, (fill, stroke) in PALETTE.items()
        }
        for node in self.outside:
            lines.append(f"  {node.id} [label={_dot_label(node)}, {styles[node.kind]}];")
        for box in self.boxes:
            lines.append(f"  subgraph cluster_{box.id} {{")
            lines.append(f'    label={_dot_text(box.title)}; style="rounded"; color="#334155";')
            for node, _, _ in box.nodes:
                lines.append(f"    {node.id} [label={_dot_label(node)}, {styles[node.kind]}];")
            lines.append("  }")
        anchors = {box.id: box.nodes[0][0].id for box in self.boxes if box.nodes}
        for edge in self.edges:
            attributes = []
            source, target = edge.source, edge.target
            if source in anchors:
                attributes.append(f"ltail=cluster_{source}")
                source = _last_node(self.boxes, source)
            if target in anchors:
                attributes.append(f"lhead=cluster_{target}")
                target = anchors[target]
            if edge.label:
                attributes.append(f"label={_dot_text(edge.label)}")
            if edge.kind == "handoff":
                attributes.append("penwidth=2")
            if edge.kind == "find":
                attributes.append("style=dashed")
            suffix = f" [{', '.join(attributes)}]" if attributes else ""
            lines.append(f"  {source} -> {target}{suffix};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_svg(self) -> str:
        """An SVG image, laid out by spinpromote itself (no Graphviz needed)."""
        from spinpromote._svg import draw

        return draw(self)


def diagram(pipelines: Sequence[model.Pipeline]) -> Diagram:
    """The diagram of pipelines that may trigger each other (a chain's pipelines, or just one)."""
    boxes: list[Box] = []
    outside: list[Node] = []
    edges: list[Edge] = []
    box_of = {p.id: f"p{index}" for index, p in enumerate(pipelines) if p.id}
    for index, pipeline in enumerate(pipelines):
        box_id = f"p{index}"
        names = {ea.id: ea.display_name or ea.id for ea in pipeline.expected_artifacts if ea.id}
        nodes, stage_edges = _stages(pipeline, box_id)
        boxes.append(Box(id=box_id, title=pipeline.name or "(unnamed)", nodes=nodes))
        edges += stage_edges
        for position, trigger in enumerate(pipeline.triggers):
            artifacts = ", ".join(names.get(i, i) for i in trigger.expected_artifact_ids)
            if isinstance(trigger, model.PipelineTrigger) and trigger.pipeline in box_of:
                status = "/".join(trigger.status)
                label = f"on {status}" + (f": {artifacts}" if artifacts else "")
                edges.append(Edge(source=box_of[trigger.pipeline], target=box_id, label=label, kind="handoff"))
                continue
            node = Node(id=f"{box_id}_t{position}", label=trigger_label(trigger), detail="", kind="trigger")
            outside.append(node)
            edges.append(Edge(source=node.id, target=box_id, label=artifacts, kind="trigger"))
        for node, _, _ in nodes:
            stage = _stage_by_node(pipeline, box_id, node.id)
            if isinstance(stage, PIPELINE_REFERENCE_STAGES) and stage.pipeline in box_of:
                if isinstance(stage, model.FindArtifactFromExecution):
                    edge = Edge(source=box_of[stage.pipeline], target=node.id, label="find artifacts", kind="find")
                else:
                    edge = Edge(source=node.id, target=box_of[stage.pipeline], label="runs", kind="find")
                edges.append(edge)
    return Diagram(boxes=tuple(boxes), outside=tuple(outside), edges=tuple(edges))


def _stages(pipeline: model.Pipeline, box_id: str) -> tuple[tuple[tuple[Node, int, int], ...], list[Edge]]:
    stages = list(pipeline.stages)
    parents = stage_parents(stages)
    rows: dict[int, int] = {}
    placed: list[tuple[Node, int, int]] = []
    for index, (stage, col) in enumerate(zip(stages, columns(parents), strict=True)):
        row = rows.get(col, 0)
        rows[col] = row + 1
        placed.append((_stage_node(stage, f"{box_id}_s{index}"), col, row))
    edges = [
        Edge(source=f"{box_id}_s{parent}", target=f"{box_id}_s{index}")
        for index, upstream in enumerate(parents)
        for parent in upstream
    ]
    return tuple(placed), edges


def _stage_by_node(pipeline: model.Pipeline, box_id: str, node_id: str) -> model.Stage:
    return pipeline.stages[int(node_id[len(box_id) + 2 :])]


def _stage_node(stage: model.Stage, node_id: str) -> Node:
    kind = "deploy" if stage.type in _DEPLOY_TYPES else "gate" if stage.type in _GATE_TYPES else "stage"
    detail = stage.type
    if isinstance(stage, model.DeployManifest) and stage.account:
        detail = stage.account + (f"/{stage.namespace_override}" if stage.namespace_override else "")
    elif isinstance(stage, model.Wait) and stage.wait_time is not None:
        detail = f"wait {stage.wait_time}s"
    elif isinstance(stage, model.ManualJudgment):
        detail = "manual judgment"
    return Node(id=node_id, label=stage.name or stage.type, detail=detail, kind=kind)


def trigger_label(trigger: model.Trigger, names: Mapping[str, str] | None = None) -> str:
    """A trigger in a few words, as diagrams and notebook tables show it; ``names`` maps pipeline ids to names.

    ```pycon
    >>> trigger_label(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
    'git push acme/shop (main)'
    >>> trigger_label(PipelineTrigger(pipeline="1b2c", status=["successful"]), {"1b2c": "Deploy to Staging"})
    "after 'Deploy to Staging' (successful)"

    ```
    """
    if isinstance(trigger, model.GitTrigger):
        return f"git push {trigger.project}/{trigger.slug}" + (f" ({trigger.branch})" if trigger.branch else "")
    if isinstance(trigger, model.DockerTrigger):
        return f"docker {trigger.repository}" + (f":{trigger.tag}" if trigger.tag else "")
    if isinstance(trigger, model.CronTrigger):
        return f"cron {trigger.cron_expression}"
    if isinstance(trigger, model.HelmTrigger):
        return f"helm {trigger.chart} {trigger.version or ''}".strip()
    if isinstance(trigger, model.JenkinsTrigger):
        return f"jenkins {trigger.job}"
    if isinstance(trigger, model.WebhookTrigger):
        return f"webhook {trigger.source}"
    if isinstance(trigger, model.PubsubTrigger):
        return f"pubsub {trigger.subscription_name}"
    if isinstance(trigger, model.PipelineTrigger):
        name = (names or {}).get(trigger.pipeline or "")
        upstream = f"after {name!r}" if name else f"pipeline {trigger.pipeline}"
        return f"{upstream} ({'/'.join(trigger.status)})"
    return f"{trigger.type or 'untyped trigger'}"


def _last_node(boxes: Sequence[Box], box_id: str) -> str:
    box = next(b for b in boxes if b.id == box_id)
    return max(box.nodes, key=lambda placed: (placed[1], -placed[2]))[0].id


# One pass, so that the ``#`` of an entity written for another character is not itself replaced.
_MERMAID_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "#": "&num;", "`": "&grave;"})


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: markup, quotes, ``#`` and backticks as entities, no control characters."""
    return safe_text(text).translate(_MERMAID_ENTITIES)


def _dot_text(text: str) -> str:
    """A quoted DOT string: backslashes and quotes escaped, line breaks as DOT's ``\\n``."""
    lines = (safe_text(line).replace("\\", "\\\\").replace('"', '\\"') for line in text.split("\n"))
    return '"' + "\\n".join(lines) + '"'


def _dot_label(node: Node) -> str:
    text = node.label + (f"\n{node.detail}" if node.detail else "")
    return _dot_text(text)


def safe_text(text: str) -> str:
    r"""Text with each control, separator, bidi control or lone surrogate written as a visible escape.

    Names come from anyone who can edit a pipeline; raw, such characters would break the markup of a
    diagram (XML forbids most of them) or make one name look like another.

    ```pycon
    >>> print(safe_text("Deploy\x00 to\nprod \ud800"))
    Deploy\x00 to\nprod \ud800

    ```
    """
    return printable(text, markup=True)
