"""The docs are tested: every Python block runs, prints what its comments say, and reference pages are current.

In a block, the comment lines right after a ``print(...)`` line are the output it must print.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
RUNNABLE = [page for page in PAGES if BLOCK.search(page.read_text(encoding="utf-8"))]


def expected_output(block: str) -> list[str]:
    """The comment lines that follow each print() call, without their '# '."""
    expected, after_print = [], False
    for line in block.splitlines():
        stripped = line.strip()
        if after_print and stripped.startswith("# "):
            expected.append(stripped[2:])
            continue
        after_print = stripped.startswith("print(")
    return expected


@pytest.mark.parametrize("page", RUNNABLE, ids=[str(p.relative_to(ROOT)) for p in RUNNABLE])
def test_page_examples_run(page: Path) -> None:
    """Each page's Python blocks run in order, in one namespace, from the repository root."""
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(block, str(page), "exec"), namespace)
            printed = [line.strip() for line in output.getvalue().splitlines()]
            expected = expected_output(block)
            if expected:
                assert printed == expected, f"{page.name}: a block printed {printed}, its comments say {expected}"
    finally:
        os.chdir(previous)


def test_reference_pages_are_current() -> None:
    """docs/reference/{stages,triggers,artifacts}.md match what scripts/reference_pages.py writes."""
    spec = importlib.util.spec_from_file_location("reference_pages", ROOT / "scripts" / "reference_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    for path, text in module.pages().items():
        assert path.read_text(encoding="utf-8") == text, f"run scripts/reference_pages.py to refresh {path.name}"
