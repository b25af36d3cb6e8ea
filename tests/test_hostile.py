"""Hostile names (controls, quotes, path pieces, markup, long text, U+2028, NUL, lone surrogates) stay data.

Anyone with WRITE on an application can name its pipelines, stages and artifacts. Every output built from
those names is checked: generated code parses, runs nothing and rebuilds the JSON; ``render -o DIR`` writes
inside DIR or refuses; SVG and the notebook HTML are well-formed XML; Mermaid and DOT keep each name inside
its quotes.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinpromote import Pipeline
from spinpromote._html import pipelines_html
from spinpromote.cli import EXIT_FAILURE, EXIT_OK, main
from spinpromote.codegen import generate
from spinpromote.diagram import diagram, safe_text

PIECES = [
    "..",
    ".",
    "/",
    "\\",
    "../../etc/passwd",
    "CON",
    "nul.json",
    "<script>alert(1)</script>",
    "]]>",
    "&amp;",
    '"',
    "'",
    '"""',
    "`",
    "#",
    "|",
    "{}",
    "${x}",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
    "\u202e",
    "🚀",
    "x" * 300,
    "\nINJECTED = 1\n",
    "__import__('os').system('exit 3')",
]
NAMES = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(st.characters(blacklist_categories=()), max_size=4)),
    min_size=1,
    max_size=4,
).map("".join)


def documents(names: list[str]) -> list[dict[str, Any]]:
    """Two pipelines, the second triggered by the first, with hostile names in every named place."""
    first, second, stage, artifact = names

    def pipeline(index: int, name: str) -> dict[str, Any]:
        return {
            "id": f"id-{index}",
            "application": first,
            "name": name,
            "expectedArtifacts": [
                {"id": artifact, "displayName": artifact, "matchArtifact": {"type": "docker/image", "name": artifact}}
            ],
            "triggers": [{"type": "git", "source": "github", "project": stage, "slug": artifact, "branch": name}],
            "stages": [
                {"type": "wait", "refId": "1", "name": stage, "waitTime": 1},
                {"type": "manualJudgment", "refId": "2", "name": name, "requisiteStageRefIds": ["1"]},
                {
                    "type": "deployManifest",
                    "refId": "3",
                    "name": artifact,
                    "account": stage,
                    "requisiteStageRefIds": [],
                },
            ],
        }

    downstream = pipeline(1, second)
    downstream["triggers"].append({"type": "pipeline", "pipeline": "id-0", "status": ["successful"]})
    return [pipeline(0, first), downstream]


def check_code(docs: list[dict[str, Any]], source: str) -> None:
    code = generate(docs, source=source)
    tree = ast.parse(code)
    defined = {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets}  # type: ignore[attr-defined]
    defined |= {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    namespace: dict[str, Any] = {}
    exec(compile(tree, "<generated>", "exec"), namespace)
    assert set(namespace) - {"__builtins__", "__doc__"} == defined  # nothing but the code's own assignments
    assert [p.to_dict() for p in namespace["pipelines"]] == docs


def check_files(docs: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "in" / "pipelines.json"
        source.parent.mkdir()
        source.write_text(json.dumps(docs), encoding="utf-8")
        out = root / "out" / "dir"
        code = main(["render", str(source), "-o", str(out)])
        written = [path for path in root.rglob("*") if path.is_file() and path != source]
        assert code in (EXIT_OK, EXIT_FAILURE)
        if code == EXIT_FAILURE:
            assert written == []  # refused before anything was written
            return
        assert written
        for path in written:
            assert path.resolve().is_relative_to(out.resolve())
            assert all(0 < len(part.encode()) <= 255 and part not in (".", "..") for part in path.parts[1:])
            # JSON itself cannot keep two lone surrogates apart from the pair they spell: compare through JSON.
            assert json.loads(path.read_text(encoding="utf-8")) in json.loads(json.dumps(docs))


MERMAID_TEXT = re.compile(r"([^<>\"`#&]|&[a-z]+;|&#x?[0-9a-f]+;)*")
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def check_markup(docs: list[dict[str, Any]], names: list[str]) -> None:
    pipelines = [Pipeline.from_dict(document) for document in docs]
    drawing = diagram(pipelines)
    svg = drawing.to_svg()
    html = pipelines_html(pipelines)
    for text in (svg, html):
        assert not XML_FORBIDDEN.search(text)
        ET.fromstring(text)  # well-formed XML
        parser = HTMLParser()
        parser.feed(text)
        parser.close()
    titles = {"".join(element.itertext()) for element in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}title")}
    assert safe_text(names[1] or "(unnamed)") in titles  # the name is shown, not lost

    for line in drawing.to_mermaid().splitlines():
        assert not CONTROLS.search(line)
        # Every quoted label is closed on its line and holds no quote, backtick or markup of its own.
        assert line.count('"') % 2 == 0
        for label in re.findall(r'"([^"]*)"', line):
            text = label.replace("<br/><small>", "", 1).removesuffix("</small>")
            assert MERMAID_TEXT.fullmatch(text), label
    for line in drawing.to_dot().splitlines():
        assert not CONTROLS.search(line)
        unescaped = re.sub(r"\\.", "", line)
        assert unescaped.count('"') % 2 == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, min_size=4, max_size=4))
def test_hostile_names_stay_data_in_every_output(names: list[str]) -> None:
    docs = documents(names)

    check_code(docs, source=names[2])
    check_files(docs)
    check_markup(docs, names)
