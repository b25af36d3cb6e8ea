"""Code generation: hostile text never becomes code, and the same input always gives the same bytes."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spinpromote.codegen import generate
from spinpromote.ids import pipeline_id
from tests.conftest import CORPUS_FILES, corpus_params, load

MARKER = "spinpromote-injection-marker"


def execute(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    return namespace


def payloads(marker: Path) -> list[str]:
    """Names that end a comment, a string or the docstring and then write ``marker`` or set a global."""
    write = f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')"
    return [
        f"x\n{write}\n#",
        f"x\r{write}\r#",
        f"x\r\n{write}\n#",
        f"x\u2028{write}\u2028#",
        f"x\u0085{write}\u0085#",
        f'x"""\n{write}\n"""',
        f"x'''\n{write}\n'''",
        f'x\\"; {write}; "',
        f"x\\\n{write}",
        f"x\x00\n{write}",
        "x\nINJECTED = True\n#",
        '"""\nINJECTED = True\n"""',
        "\ud800 lone surrogate\nINJECTED = True",
        "\u202e bidi override \u2066\nINJECTED = True",
    ]


def chain_of(names: list[str]) -> list[dict[str, Any]]:
    """One pipeline per name, each triggered by the one before (so every name reaches the header comment)."""
    documents: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        document: dict[str, Any] = {"id": f"id-{index}", "application": name, "name": name, "stages": []}
        if documents:
            document["triggers"] = [{"type": "pipeline", "pipeline": documents[-1]["id"], "status": ["successful"]}]
        document["stages"] = [{"type": "wait", "refId": "1", "name": name, "waitTime": 1, name: {name: [name]}}]
        documents.append(document)
    return documents


def test_hostile_names_never_become_code(tmp_path: Path) -> None:
    marker = tmp_path / MARKER
    names = payloads(marker)
    documents = chain_of(names)

    for source in [*names, None]:
        code = generate(documents, source=source)
        ast.parse(code)  # a SyntaxError here means text escaped its literal
        namespace = execute(code)

        assert not marker.exists(), f"source {source!r} ran code"
        assert "INJECTED" not in namespace
        assert [p.to_dict() for p in namespace["pipelines"]] == documents
    single = generate(documents[:1], source=names[0])
    assert execute(single)["pipeline"].to_dict() == documents[0]
    assert not marker.exists()


def test_comments_and_docstring_quote_what_is_not_plain_text() -> None:
    documents = chain_of(["Deploy to Staging", "Prod\n#x"])

    code = generate(documents, source='a"""b.json')

    lines = code.splitlines()
    assert lines[0] == '"""Pipelines imported by `spinpromote import` from \'a\\"\\"\\"b.json\'.'
    assert "#   Deploy to Staging -> 'Prod\\n#x'" in lines
    assert ast.get_docstring(ast.parse(code), clean=False).startswith(  # type: ignore[union-attr]
        'Pipelines imported by `spinpromote import` from \'a"""b.json\'.'
    )


def test_strings_escape_only_what_is_unprintable() -> None:
    text = "quotes \" and ' and \\ \n\ttab été 🚀 \x00 \x7f \u2028 \u0085 \ud800 \ufeff end"
    document = {"application": "demo", "name": text, "stages": []}

    code = generate([document])

    assert "été 🚀" in code
    for raw in ("\x00", "\x7f", "\u2028", "\u0085", "\ufeff", "\t"):
        assert raw not in code
    assert execute(code)["pipeline"].to_dict() == document
    code.encode("utf-8")  # a lone surrogate is written escaped, so the file can be saved


def test_deep_nesting_of_a_hundred_levels() -> None:
    value: Any = "leaf"
    for level in range(97):  # with pipeline, stages and stage: the codec's limit of 100 levels from the root
        value = {"level": value} if level % 2 else [value]
    document = {"application": "demo", "name": "deep", "stages": [{"type": "wait", "refId": "1", "extra": value}]}

    code = generate([document])

    assert execute(code)["pipeline"].to_dict() == document


def test_output_does_not_depend_on_installed_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [load(path) for path in CORPUS_FILES[:3]] or chain_of(["a", "b"])
    expected = generate(documents)

    monkeypatch.setenv("PATH", "")

    assert generate(documents) == expected


def corpus_documents(path: Path) -> list[dict[str, Any]]:
    data = load(path)
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_code_is_stable_and_rebuilds_the_json(path: Path) -> None:
    documents = corpus_documents(path)

    code = generate(documents, source=path.name)

    assert generate(documents, source=path.name) == code
    namespace = execute(code)
    rebuilt = [namespace["pipeline"]] if len(documents) == 1 else namespace["pipelines"]
    assert [pipeline.to_dict() for pipeline in rebuilt] == documents


TRICKY = [
    {
        "application": "demo",
        "name": "quotes \" and ' and \\ backslash\n\ttab",
        "description": "line\n" * 30,
        "stages": [
            {
                "type": "wait",
                "refId": "1",
                "waitTime": 5,
                "numbers": [1.5e300, -0.0, 1e-07, 12345678901234567890, None, True],
                "say": 'a "quoted" word',
                "nested": {"k" * 40: "v" * 80, "lines": "a\n" + "b" * 90, "list": [["x" * 40, "y" * 45]]},
                "joined in parentheses": "first line\n" + "b" * 64,
                "wide": {"🚀中" * 8 + "\u0301" + "k" * 16: [3007921.4012141363], "w": "中" * 36},
            }
        ],
    }
]


def test_code_is_what_ruff_format_would_write(tmp_path: Path) -> None:
    """``ruff format`` leaves the code unchanged (so the layout is ruff's) and ruff finds no lint."""
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a test dependency"
    cases = [corpus_documents(path) for path in CORPUS_FILES] + [TRICKY, chain_of(["a", "b\nc", "d" * 100])]
    for index, documents in enumerate(cases):
        (tmp_path / f"p{index}.py").write_text(generate(documents, source=f"p{index}.json"), encoding="utf-8")

    formatted = subprocess.run(
        [ruff, "format", "--isolated", "--diff", tmp_path], capture_output=True, text=True, check=False
    )
    checked = subprocess.run(
        [ruff, "check", "--isolated", "--select", "F,I,E9", tmp_path], capture_output=True, text=True, check=False
    )

    assert formatted.returncode == 0, formatted.stdout[:3000]
    assert checked.returncode == 0, checked.stdout


def test_several_pipelines_are_named_by_variables_and_references() -> None:
    first = {"id": pipeline_id("demo", "Deploy to Staging"), "application": "demo", "name": "Deploy to Staging"}
    trigger = {"type": "pipeline", "application": "demo", "pipeline": first["id"], "status": ["successful"]}
    second = {"application": "demo", "name": "Deploy to Production", "triggers": [trigger], "stages": []}
    documents = [{**first, "stages": []}, second]

    code = generate(documents)

    assert "pipeline=deploy_to_staging.id" in code
    assert "# Promotion: started by a pipeline trigger on 'Deploy to Staging'." in code
    assert [p.to_dict() for p in execute(code)["pipelines"]] == json.loads(json.dumps(documents))
