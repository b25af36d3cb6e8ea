"""`spinpromote validate` is clean on every how-to chain and example, in the layout each declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spinpromote.cli import main
from tests.conftest import ROOT

HOWTOS = sorted((ROOT / "docs" / "howto").glob("*.md"))
CHAIN_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def chain_sources() -> list[tuple[str, str]]:
    """The code of each how-to block that builds a chain, up to the chain's definition."""
    found = []
    for page in HOWTOS:
        for number, block in enumerate(CHAIN_BLOCK.findall(page.read_text(encoding="utf-8"))):
            if "PromotionChain(" in block and "\nchain = " in block:
                head = block.split("\nchain = ", 1)
                definition = head[1].split("\n)\n", 1)[0] + "\n)\n" if "\n)\n" in head[1] else head[1]
                found.append((f"{page.name}[{number}]", head[0] + "\nchain = " + definition))
    return found


@pytest.mark.parametrize(("name", "source"), chain_sources(), ids=[name for name, _ in chain_sources()])
def test_howto_chains_validate_clean(name: str, source: str, tmp_path: Path) -> None:
    path = tmp_path / "chain.py"
    path.write_text(source, encoding="utf-8")
    assert main(["validate", str(path)]) == 0, name


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_examples_validate_clean(example: Path) -> None:
    assert main(["validate", str(example)]) == 0


def test_there_are_howto_chains() -> None:
    assert {name.split("[")[0] for name, _ in chain_sources()} >= {
        "pinning.md",
        "verify-and-rollback.md",
        "what-runs-where.md",
        "environments-and-regions.md",
    }
