"""Helpers for the command-line tests: run the real ``spinpromote`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

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


def run_cli_many(
    *commands: Sequence[str | Path], env: Mapping[str, str] | None = None, timeout: float = 60
) -> list[subprocess.CompletedProcess[str]]:
    """Several independent commands at once (each starts a Python, which is most of the time they take)."""
    processes = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "spinpromote", *map(str, command)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_environment(env),
            ),
        )
        for command in commands
    ]
    results = []
    for command, process in processes:
        stdout, stderr = process.communicate(timeout=timeout)
        results.append(subprocess.CompletedProcess(list(map(str, command)), process.returncode, stdout, stderr))
    return results


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
