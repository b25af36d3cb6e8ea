"""Rich display in notebooks: the diagram, then a compact table of pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from spinpromote import model
from spinpromote.diagram import diagram

__all__ = ["pipelines_html"]


def pipelines_html(pipelines: Sequence[model.Pipeline]) -> str:
    """HTML with the SVG diagram and one table row per pipeline: triggers, artifacts, stages."""
    rows = []
    for pipeline in pipelines:
        triggers = ", ".join(escape(_trigger(t)) for t in pipeline.triggers or ()) or "&mdash;"
        artifacts = (
            ", ".join(escape(ea.display_name or ea.id or "?") for ea in pipeline.expected_artifacts or ()) or "&mdash;"
        )
        stages = ", ".join(escape(s.name or s.type) for s in pipeline.stages or ()) or "&mdash;"
        rows.append(
            f"<tr><td><b>{escape(pipeline.name or '')}</b></td><td>{triggers}</td>"
            f"<td>{artifacts}</td><td>{stages}</td></tr>"
        )
    table = (
        '<table style="border-collapse:collapse;font-size:12px">'
        "<thead><tr><th>pipeline</th><th>triggers</th><th>expected artifacts</th><th>stages</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return f'<div class="spinpromote">{diagram(pipelines).to_svg()}{table}</div>'


def _trigger(trigger: model.Trigger) -> str:
    if isinstance(trigger, model.PipelineTrigger):
        return f"pipeline {trigger.pipeline} ({'/'.join(trigger.status or ())})"
    return trigger.type or "untyped trigger"
