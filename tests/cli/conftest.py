"""Helpers for the command-line tests: run ``spinpromote.cli.main`` in-process (fast), or the real command.

Most tests call `main` through the ``cli`` fixture, with the environment, stdin and the output streams
replaced; a few run ``python -m spinpromote`` in a subprocess to check the installed command itself.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pytest

from spinpromote.cli import main
from spinpromote.testing import FakeGate
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "artifact_promotion.py"
EXAMPLE_APP = "artifact-promotion-demo"
PASSWORD = "s3cret-pw"


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SPINNAKER_")}
    environment.update(env or {})
    return environment


def run_cli(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``python -m spinpromote ARGS`` with a clean environment (no SPINNAKER_* from the caller)."""
    return subprocess.run(
        [sys.executable, "-m", "spinpromote", *map(str, args)],
        capture_output=True,
        text=True,
        env=_environment(env),
        input=stdin if stdin is not None else "",
        timeout=timeout,
        check=False,
    )


class Cli(Protocol):
    """The ``cli`` fixture: run ``spinpromote ARGS`` in-process; the result looks like a subprocess's."""

    def __call__(
        self, *args: str | Path, env: Mapping[str, str] | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``main(argv)`` with only ``env``'s SPINNAKER_* variables set, ``stdin`` as input (not a terminal)."""

    def run(
        *args: str | Path, env: Mapping[str, str] | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(arg) for arg in args]
        with monkeypatch.context() as patch:
            for key in os.environ:
                if key.startswith("SPINNAKER_"):
                    patch.delenv(key)
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            capsys.readouterr()  # what came before is not this command's output
            code = main(argv)
            output = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, output.out, output.err)

    return run


def many(
    cli: Cli, *commands: Sequence[str | Path], env: Mapping[str, str] | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """Several commands through ``cli``, one after the other."""
    return [cli(*command, env=env) for command in commands]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 1, no traceback, and one line on stderr mentioning every fragment."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("spinpromote: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def fake_gate() -> Iterator[FakeGate]:
    """A FakeGate that wants HTTP Basic credentials alice / PASSWORD."""
    with FakeGate(users={"alice": PASSWORD}) as fake:
        yield fake


def gate_env(fake: FakeGate) -> dict[str, str]:
    """Connection settings through the environment, as a CI job would set them."""
    return {"SPINNAKER_GATE_URL": fake.url, "SPINNAKER_USER": "alice", "SPINNAKER_PASSWORD": PASSWORD}
