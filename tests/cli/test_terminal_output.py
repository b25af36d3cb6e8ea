"""The command escapes control characters from Gate's data in everything it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinpromote.testing import FakeGate
from tests.cli.conftest import Cli
from tests.gate.conftest import APP
from tests.gate.test_terminal_safety import EVIL, assert_terminal_safe


@pytest.mark.parametrize("command", ["plan", "apply", "run"])
def test_the_cli_escapes_gate_data_in_every_output(cli: Cli, command: str, tmp_path: Path) -> None:
    """plan and apply print the plan and progress; run --wait prints progress, then Gate's error message."""
    source = tmp_path / "evil.json"
    source.write_text(
        '[{"application": "demo", "name": "Deploy \\u001b]0;owned\\u0007\\r\\u202eprod",'
        ' "stages": [{"refId": "1", "type": "wait", "name": "\\u001b[2J wait", "waitTime": 0}]}]',
        encoding="utf-8",
    )
    with FakeGate() as fake:
        env = {"SPINNAKER_GATE_URL": fake.url}
        if command == "run":
            assert cli("apply", source, "--yes", env=env).returncode == 0
            result = cli("run", APP, EVIL.replace("\x1b[2J", ""), "--wait", "--poll", "0.01", env=env)
            missing = cli("run", APP, f"{EVIL} missing", env=env)
            assert missing.returncode == 1 and "\\e]0;owned" in missing.stderr
            assert_terminal_safe(missing.stdout + missing.stderr)
        else:
            result = cli(command, source, *(["--yes"] if command == "apply" else []), env=env)

    assert result.returncode in (0, 2), result.stderr
    assert "]0;owned" in result.stdout + result.stderr  # shown, as an escape
    assert_terminal_safe(result.stdout + result.stderr)
