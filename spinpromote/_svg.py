"""Draw a `Diagram` as SVG: pipelines left to right, stages in columns by dependency depth."""

from __future__ import annotations

from html import escape as _escape
from typing import TYPE_CHECKING

from spinpromote.diagram import PALETTE, TEXT, safe_text

if TYPE_CHECKING:
    from spinpromote.diagram import Box, Diagram, Node

__all__ = ["draw"]

NODE_W, NODE_H = 220, 50
COL_GAP, ROW_GAP = 40, 16
PAD, TITLE_H = 16, 30
BOX_GAP = 120
MARGIN = 20
LEGEND_H = 36
MAX_CHARS = 30

LEGEND = (
    ("deploy", "deploy"),
    ("gate", "gate: judgment, wait, check"),
    ("stage", "other stage"),
    ("trigger", "trigger"),
)


def draw(diagram: Diagram) -> str:
    """The SVG text of a diagram."""
    return _Layout(diagram).svg()


def escape(text: str) -> str:
    """Text for XML content or a quoted attribute: escaped, with no character XML forbids (nor any control)."""
    return _escape(safe_text(text), quote=True)


def _short(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


class _Layout:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.node_xy: dict[str, tuple[float, float]] = {}
        self.box_rect: dict[str, tuple[float, float, float, float]] = {}
        sizes = {box.id: self.box_size(box) for box in diagram.boxes}
        height = max((h for _, h in sizes.values()), default=NODE_H)
        triggers_h = len(diagram.outside) * (NODE_H + ROW_GAP) - ROW_GAP
        self.body_h = max(height, triggers_h)
        x: float = MARGIN
        if diagram.outside:
            top = MARGIN + (self.body_h - triggers_h) / 2
            for index, node in enumerate(diagram.outside):
                self.node_xy[node.id] = (x, top + index * (NODE_H + ROW_GAP))
            x += NODE_W + BOX_GAP
        for box in diagram.boxes:
            width, box_h = sizes[box.id]
            y = MARGIN + (self.body_h - box_h) / 2
            self.box_rect[box.id] = (x, y, width, box_h)
            for node, col, row in box.nodes:
                self.node_xy[node.id] = (
                    x + PAD + col * (NODE_W + COL_GAP),
                    y + TITLE_H + PAD + row * (NODE_H + ROW_GAP),
                )
            x += width + BOX_GAP
        self.width = x - BOX_GAP + MARGIN if diagram.boxes else x + MARGIN
        # Look-ups between pipelines are drawn as dashed curves below the boxes: leave them room.
        self.below = 28 if any(edge.kind == "find" for edge in diagram.edges) else 0
        self.height = MARGIN + self.body_h + self.below + MARGIN + LEGEND_H

    @staticmethod
    def box_size(box: Box) -> tuple[float, float]:
        cols = 1 + max((col for _, col, _ in box.nodes), default=0)
        rows = 1 + max((row for _, _, row in box.nodes), default=0)
        width = 2 * PAD + cols * NODE_W + (cols - 1) * COL_GAP
        height = TITLE_H + 2 * PAD + rows * NODE_H + (rows - 1) * ROW_GAP
        return max(width, 2 * PAD + NODE_W), height

    def svg(self) -> str:
        parts = [
            # width 100% with the natural width as the maximum: the drawing scales down to the width it is
            # shown at (a notebook cell, a docs column) instead of being cut off, and never blows up
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" style="max-width:{self.width:.0f}px;height:auto" '
            f'viewBox="0 0 {self.width:.0f} {self.height:.0f}" font-family="Helvetica, Arial, sans-serif">',
            "<defs>",
            '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#334155"/></marker>',
            "</defs>",
            f'<rect width="{self.width:.0f}" height="{self.height:.0f}" fill="#ffffff"/>',
        ]
        for box in self.diagram.boxes:
            parts.append(self.box(box))
        for edge in self.diagram.edges:
            parts.append(self.edge(edge.source, edge.target, edge.label, edge.kind))
        for node in self.diagram.outside:
            parts.append(self.node(node))
        for box in self.diagram.boxes:
            parts += [self.node(node) for node, _, _ in box.nodes]
        parts.append(self.legend())
        parts.append("</svg>")
        return "\n".join(parts) + "\n"

    def box(self, box: Box) -> str:
        x, y, w, h = self.box_rect[box.id]
        return (
            f'<g class="pipeline"><title>{escape(box.title)}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="10" fill="#f8fafc" '
            f'stroke="#334155" stroke-width="1.5"/>'
            f'<text x="{x + PAD:.0f}" y="{y + 20:.0f}" font-size="14" font-weight="bold" fill="{TEXT}">'
            f"{escape(_short(box.title))}</text></g>"
        )

    def node(self, node: Node) -> str:
        x, y = self.node_xy[node.id]
        fill, stroke = PALETTE[node.kind]
        if node.kind == "gate":
            inset = 12
            corners = [
                (x + inset, y),
                (x + NODE_W - inset, y),
                (x + NODE_W, y + NODE_H / 2),
                (x + NODE_W - inset, y + NODE_H),
                (x + inset, y + NODE_H),
                (x, y + NODE_H / 2),
            ]
            points = " ".join(f"{cx:.0f},{cy:.0f}" for cx, cy in corners)
            shape = f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        else:
            radius = NODE_H / 2 if node.kind == "trigger" else 6
            shape = (
                f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="{radius:.0f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
            )
        title = escape(node.label + (f" ({node.detail})" if node.detail else ""))
        center = x + NODE_W / 2
        label_y = y + (20 if node.detail else 30)
        text = (
            f'<text x="{center:.0f}" y="{label_y:.0f}" text-anchor="middle" font-size="12" font-weight="bold" '
            f'fill="{TEXT}">{escape(_short(node.label))}</text>'
        )
        if node.detail:
            text += (
                f'<text x="{center:.0f}" y="{y + 37:.0f}" text-anchor="middle" font-size="11" fill="#334155">'
                f"{escape(_short(node.detail))}</text>"
            )
        return f'<g class="{node.kind}"><title>{title}</title>{shape}{text}</g>'

    def anchor(self, ident: str, side: str) -> tuple[float, float]:
        if ident in self.box_rect:
            x, y, w, h = self.box_rect[ident]
            return (x + w, y + h / 2) if side == "out" else (x, y + h / 2)
        x, y = self.node_xy[ident]
        return (x + NODE_W, y + NODE_H / 2) if side == "out" else (x, y + NODE_H / 2)

    def edge(self, source: str, target: str, label: str, kind: str) -> str:
        (x1, y1), (x2, y2) = self.anchor(source, "out"), self.anchor(target, "in")
        if kind == "find":
            # Dashed, below the boxes in between: from the bottom of the source box to the stage.
            sx, sy, sw, sh = self.box_rect.get(source, (x1, y1, 0, 0))
            x1, y1 = sx + sw / 2, sy + sh
            low = MARGIN + self.body_h + self.below
            path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{low:.0f} {x2 - 60:.0f},{low:.0f} {x2:.0f},{y2:.0f}"
        else:
            bend = max(30.0, (x2 - x1) / 2)
            path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        width = {"handoff": 2.5, "trigger": 1.5, "find": 1.5}.get(kind, 1.2)
        dash = ' stroke-dasharray="6 4"' if kind == "find" else ""
        out = [f'<path d="{path}" fill="none" stroke="#334155" stroke-width="{width}"{dash} marker-end="url(#arrow)"/>']
        if label:
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 8
            if kind == "find":
                mx, my = (x1 + x2) / 2, MARGIN + self.body_h + self.below
            for index, line in enumerate(_wrap(label, 18)):
                out.append(
                    f'<text x="{mx:.0f}" y="{my - 13 * (len(_wrap(label, 18)) - 1 - index):.0f}" '
                    f'text-anchor="middle" font-size="11" fill="{TEXT}" stroke="#ffffff" stroke-width="3" '
                    f'paint-order="stroke">{escape(line)}</text>'
                )
        return f'<g class="edge {kind}">{"".join(out)}</g>'

    def legend(self) -> str:
        y = self.height - LEGEND_H + 8
        x = MARGIN
        parts = []
        for kind, text in LEGEND:
            fill, stroke = PALETTE[kind]
            parts.append(
                f'<rect x="{x}" y="{y:.0f}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
                f'<text x="{x + 20}" y="{y + 11:.0f}" font-size="11" fill="#334155">{escape(text)}</text>'
            )
            x += 36 + 6 * len(text)
        return f'<g class="legend">{"".join(parts)}</g>'


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]
