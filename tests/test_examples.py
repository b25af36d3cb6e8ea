"""Every example runs, and renders exactly its golden files in tests/golden/<example>/.

To regenerate after an intended change (then review the diff):

    SPINPROMOTE_REGEN_GOLDEN=1 python -m pytest tests/test_examples.py
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from spinpromote import Pipeline, PromotionChain
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
GOLDEN = ROOT / "tests" / "golden"
REGENERATE = os.environ.get("SPINPROMOTE_REGEN_GOLDEN") == "1"


def file_name(pipeline_name: str) -> str:
    """A pipeline name as a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", pipeline_name).strip("-").lower() + ".json"


def rendered(example: Path) -> dict[str, str]:
    """File name -> JSON text of every pipeline the example defines at module level."""
    namespace = runpy.run_path(str(example))
    pipelines: list[Pipeline] = []
    for value in namespace.values():
        if isinstance(value, PromotionChain):
            pipelines += value.pipelines()
        elif isinstance(value, Pipeline):
            pipelines.append(value)
    assert pipelines, f"{example.name} defines no PromotionChain or Pipeline"
    return {file_name(p.name or "unnamed"): p.to_json() + "\n" for p in pipelines}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_matches_golden(example: Path) -> None:
    """The rendered pipelines equal the reviewed golden files, byte for byte, with no file missing or extra."""
    actual = rendered(example)
    folder = GOLDEN / example.stem
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        for name, text in actual.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.json"))}

    assert sorted(actual) == sorted(expected)
    for name, text in actual.items():
        assert text == expected[name], f"{example.stem}/{name} differs from its golden file"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_runs_as_a_script(example: Path) -> None:
    """Running the example prints valid JSON of the same pipelines."""
    result = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, check=True, cwd=ROOT)
    printed = json.loads(result.stdout)
    documents = printed if isinstance(printed, list) else [printed]

    assert sorted(file_name(d["name"]) for d in documents) == sorted(rendered(example))


def test_every_example_has_golden_files() -> None:
    """No golden folder is left behind by a removed example."""
    assert sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) == sorted(e.stem for e in EXAMPLES)
