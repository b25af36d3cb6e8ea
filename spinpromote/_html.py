"""Rich display in notebooks: the diagram, then a compact table of pipelines."""

from __future__ import annotations

from collections.abc import Sequence

from spinpromote import model
from spinpromote._svg import escape
from spinpromote.diagram import diagram, trigger_label

__all__ = ["pipelines_html"]

_NONE = "\u2014"  # an em dash, as a character: the output is XML too, where &mdash; is undefined


def pipelines_html(pipelines: Sequence[model.Pipeline]) -> str:
    """HTML with the SVG diagram and one table row per pipeline: triggers, artifacts, stages.

    Every name is escaped and stripped of characters XML forbids, so the output is well-formed XML too.

    ```pycon
    >>> from spinpromote import Pipeline, Wait
    >>> html = pipelines_html([Pipeline(application="demo", name="<b>&", stages=[Wait(name="w", wait_time=5)])])
    >>> "<td><b>&lt;b&gt;&amp;</b></td>" in html
    True

    ```
    """
    rows = []
    names = {p.id: p.name for p in pipelines if p.id and p.name}
    for pipeline in pipelines:
        triggers = ", ".join(escape(trigger_label(t, names)) for t in pipeline.triggers) or _NONE
        artifacts = ", ".join(escape(ea.display_name or ea.id or "?") for ea in pipeline.expected_artifacts)
        stages = ", ".join(escape(s.name or s.type) for s in pipeline.stages) or _NONE
        rows.append(
            f"<tr><td><b>{escape(pipeline.name or '')}</b></td><td>{triggers}</td>"
            f"<td>{artifacts or _NONE}</td><td>{stages}</td></tr>"
        )
    table = (
        '<table style="border-collapse:collapse;font-size:12px">'
        "<thead><tr><th>pipeline</th><th>triggers</th><th>expected artifacts</th><th>stages</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return f'<div class="spinpromote">{diagram(pipelines).to_svg()}{table}</div>'
