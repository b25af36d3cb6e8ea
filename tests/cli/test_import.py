"""Import to code: generated Python rebuilds every corpus pipeline exactly; the command writes it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spinpromote import Pipeline
from spinpromote.codegen import generate
from spinpromote.ids import pipeline_id
from tests.cli.conftest import Cli, assert_one_line_error, many
from tests.conftest import CORPUS_FILES, corpus_params, load


def execute(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("path", corpus_params())
def test_generated_code_rebuilds_every_corpus_document(path: Path) -> None:
    document = load(path)

    code = generate([document], source=path.name)
    pipeline = execute(code)["pipeline"]

    assert isinstance(pipeline, Pipeline)
    assert pipeline.to_dict() == document


def test_generated_code_is_formatted_and_lint_clean(tmp_path: Path) -> None:
    """ruff format leaves it unchanged and ruff finds no unused or unsorted imports."""
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a test dependency"
    documents = [load(path) for path in CORPUS_FILES[:6]] or [{"application": "a", "name": "b", "stages": []}]
    for index, document in enumerate(documents):
        (tmp_path / f"p{index}.py").write_text(generate([document]), encoding="utf-8")

    formatted = subprocess.run([ruff, "format", "--isolated", "--check", tmp_path], capture_output=True, text=True)
    checked = subprocess.run(
        [ruff, "check", "--isolated", "--select", "F,I,E9", tmp_path], capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout
    assert checked.returncode == 0, checked.stdout


def chain_documents() -> list[dict[str, Any]]:
    first = {"id": pipeline_id("demo", "Deploy to Staging"), "application": "demo", "name": "Deploy to Staging"}
    trigger = {"type": "pipeline", "application": "demo", "pipeline": first["id"], "status": ["successful"]}
    second = {"application": "demo", "name": "Deploy to Production", "triggers": [trigger], "stages": []}
    lone = {"application": "demo", "name": "Nightly cleanup", "stages": [], "disabled": True}
    return [{**first, "stages": []}, second, lone]


def test_several_pipelines_and_the_promotion_between_them() -> None:
    documents = chain_documents()

    code = generate(documents)
    namespace = execute(code)

    assert [p.to_dict() for p in namespace["pipelines"]] == documents
    assert "# These pipelines form a promotion" in code
    assert "#   Deploy to Staging -> Deploy to Production" in code
    assert "# Promotion: started by a pipeline trigger on 'Deploy to Staging'." in code
    assert "Nightly cleanup ->" not in code
    assert "pipeline=deploy_to_staging.id" in code  # references read as code, not as ids
    assert {"deploy_to_staging", "deploy_to_production", "nightly_cleanup"} <= set(namespace)


def test_import_command_round_trips_through_render(cli: Cli, tmp_path: Path) -> None:
    """import FILE.json -o FILE.py, then render FILE.py: the same JSON comes back."""
    documents = [load(path) for path in CORPUS_FILES[:1]] or chain_documents()[:1]
    source = tmp_path / "live.json"
    source.write_text(json.dumps(documents), encoding="utf-8")
    several = tmp_path / "several.json"
    several.write_text(json.dumps(chain_documents()), encoding="utf-8")
    out = tmp_path / "imported.py"

    imported, to_stdout, missing, both = many(
        cli,
        ("import", source, "-o", out),
        ("import", several),
        ("import", tmp_path / "missing.json"),
        ("import", several, "--application", "demo"),
    )
    assert imported.returncode == 0, imported.stderr
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert "pipelines = [" in to_stdout.stdout
    assert_one_line_error(missing, "missing.json")
    assert both.returncode == 2

    rendered = cli("render", out)
    assert rendered.returncode == 0, rendered.stderr
    assert json.loads(rendered.stdout) == documents
