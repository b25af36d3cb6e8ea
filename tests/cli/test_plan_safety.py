"""The command line's side of issue 12: validation before planning, saved plans, locking, executions, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spinpromote.testing import FakeGate
from tests.cli.conftest import EXAMPLE, EXAMPLE_APP, Cli, _environment, assert_one_line_error, gate_env

INVALID = """
from spinpromote import ExpectedArtifact, GitHubFile, PromotionChain

manifest = ExpectedArtifact(
    display_name="manifest",
    match=GitHubFile(path="k8s/app.yml", artifact_account="github"),
    default=GitHubFile(path="k8s/app.yml", repo="acme/app", version="main", artifact_account="github"),
)
# only_if reads the judgment's input, but the judgment ends up in another pipeline: never deploys.
chain = (
    PromotionChain("invalid-demo", artifact=manifest)
    .deploy("staging", account="staging")
    .judge("Go?", inputs=["yes", "no"])
    .deploy("production", account="prod", only_if="yes")
)
"""


@pytest.fixture
def invalid_source(tmp_path: Path) -> Path:
    path = tmp_path / "invalid.py"
    path.write_text(INVALID)
    return path


def test_an_invalid_chain_is_refused_by_plan_and_apply(cli: Cli, fake_gate: FakeGate, invalid_source: Path) -> None:
    env = gate_env(fake_gate)
    plan = cli("plan", invalid_source, env=env)
    apply = cli("apply", invalid_source, "--yes", env=env)

    for result in (plan, apply):
        assert_one_line_error(result, "validation error(s)", "--allow-invalid")
        assert "#judgment('Go?') names the judgment of pipeline 'Go?'" in result.stdout
    assert fake_gate.requests == [] and fake_gate.pipelines() == []

    allowed = cli("plan", invalid_source, "--allow-invalid", env=env)
    assert allowed.returncode == 2, allowed.stderr
    assert "! error: 'Deploy to Production'" in allowed.stdout and "--allow-invalid" in allowed.stdout


def test_a_saved_plan_is_applied_exactly_then_refused_after_a_live_change(
    cli: Cli, fake_gate: FakeGate, tmp_path: Path
) -> None:
    env = gate_env(fake_gate)
    saved = tmp_path / "plan.json"

    plan = cli("plan", EXAMPLE, "-o", saved, "--lock", env=env)
    assert plan.returncode == 2, plan.stderr
    assert json.loads(saved.read_text())["format"] == "spinpromote-plan/1"
    assert f"spinpromote apply {saved}" in plan.stderr

    reshaped = cli("apply", saved, "--yes", "--prune", env=env)
    assert reshaped.returncode == 2 and "give --prune to plan -o instead" in reshaped.stderr
    applied = cli("apply", saved, "--yes", env=env)
    assert applied.returncode == 0, applied.stderr
    stored = fake_gate.pipelines(EXAMPLE_APP)
    assert len(stored) == 3 and all(p["locked"]["ui"] is True for p in stored)

    update = tmp_path / "update.json"
    assert cli("plan", EXAMPLE, "-o", update, env=env).returncode == 2  # unlocking is a change
    fake_gate.edit(EXAMPLE_APP, "Staging Judgement", lambda doc: doc.update(description="edited in Deck"))
    refused = cli("apply", update, "--yes", env=env)
    assert_one_line_error(refused, "apply did not finish")
    assert "'Staging Judgement' in 'artifact-promotion-demo' was changed in Spinnaker after the plan" in refused.stdout
    judgement = fake_gate.pipeline(EXAMPLE_APP, "Staging Judgement")
    assert judgement is not None and judgement["description"] == "edited in Deck"


def test_a_json_file_that_is_not_a_plan_is_read_as_pipelines(cli: Cli, fake_gate: FakeGate, tmp_path: Path) -> None:
    pipelines = tmp_path / "pipelines.json"
    pipelines.write_text(json.dumps([{"application": EXAMPLE_APP, "name": "From JSON", "stages": []}]))
    broken = tmp_path / "broken-plan.json"
    broken.write_text(json.dumps({"format": "spinpromote-plan/1", "owner": "default", "changes": [{"action": 1}]}))

    applied = cli("apply", pipelines, "--yes", env=gate_env(fake_gate))
    refused = cli("apply", broken, "--yes", env=gate_env(fake_gate))

    assert applied.returncode == 0, applied.stderr
    assert [p["name"] for p in fake_gate.pipelines(EXAMPLE_APP)] == ["From JSON"]
    assert_one_line_error(refused, "not a plan spinpromote can apply", "$.changes[0].action")


def test_hints_name_flags_not_python_arguments(cli: Cli, fake_gate: FakeGate) -> None:
    wrong = cli("plan", EXAMPLE, env={**gate_env(fake_gate), "SPINNAKER_PASSWORD": "nope"})
    tls = cli("plan", EXAMPLE, "--gate", fake_gate.url.replace("http://", "https://"), "--retries", "1")

    assert_one_line_error(wrong, "--user", "SPINNAKER_PASSWORD")
    assert_one_line_error(tls, "--gate http://")
    for result in (wrong, tls):
        assert "auth=" not in result.stderr and "verify=" not in result.stderr


def test_executions_and_cancel(cli: Cli, fake_gate: FakeGate) -> None:
    env = gate_env(fake_gate)
    fake_gate.store({"application": EXAMPLE_APP, "name": "Gated", "stages": [{"refId": "1", "type": "manualJudgment"}]})
    started = cli("run", EXAMPLE_APP, "Gated", env=env)
    run_id = started.stdout.strip()

    listed = cli("executions", EXAMPLE_APP, "--pipeline", "Gated", env=env)
    cancelled = cli("cancel", run_id, "--reason", "not today", env=env)
    waited = cli("executions", EXAMPLE_APP, "--status", "CANCELED", env=env)

    assert listed.returncode == 0, listed.stderr
    assert run_id in listed.stdout and "Gated" in listed.stdout
    assert cancelled.returncode == 0, cancelled.stderr
    assert "CANCELED" in cancelled.stderr
    assert waited.returncode == 0


def test_plan_piped_into_a_reader_that_stops_keeps_its_exit_code(fake_gate: FakeGate) -> None:
    """``spinpromote plan X | head -1``: the plan has changes, so the command still exits 2, with no traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "spinpromote", "plan", str(EXAMPLE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(gate_env(fake_gate)),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command writes anything
    code = process.wait(timeout=60)
    errors = process.stderr.read().decode()
    process.stderr.close()

    assert code == 2, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


def test_credentials_over_plain_http_to_a_remote_gate_are_warned_about(cli: Cli) -> None:
    result = cli("plan", EXAMPLE, "--gate", "http://gate.invalid", "--token", "t0ken", "--retries", "1")

    assert "spinpromote: warning: credentials will be sent unencrypted to gate.invalid" in result.stderr
    assert result.returncode == 1  # and then no such host
    assert "t0ken" not in result.stderr
