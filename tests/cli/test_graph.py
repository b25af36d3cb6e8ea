"""`spinpromote graph`: the example chain as Mermaid, DOT or SVG, on stdout or in a file."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from tests.cli.conftest import EXAMPLE, Cli


@pytest.mark.parametrize(("fmt", "method"), [("mermaid", "to_mermaid"), ("dot", "to_dot"), ("svg", "to_svg")])
def test_graph_prints_the_chain(cli: Cli, fmt: str, method: str) -> None:
    """Each format prints exactly what the chain's own method draws."""
    result = cli("graph", EXAMPLE, "--format", fmt)
    chain = runpy.run_path(str(EXAMPLE))["chain"]

    assert result.returncode == 0, result.stderr
    assert result.stdout == getattr(chain, method)()


def test_graph_writes_a_file(cli: Cli, tmp_path: Path) -> None:
    """-o writes the SVG (the default format) and says where."""
    target = tmp_path / "chain.svg"
    result = cli("graph", EXAMPLE, "-o", target)

    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("<svg")
    assert str(target) in result.stderr


def test_graph_refuses_an_unknown_format(cli: Cli) -> None:
    """A format that does not exist is a usage error."""
    assert cli("graph", EXAMPLE, "--format", "png").returncode == 2
