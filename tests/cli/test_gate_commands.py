"""``plan``, ``apply``, ``run``, ``judge`` and ``import --application`` against a FakeGate, as a real command."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from spinpromote.testing import FakeGate
from tests.cli.conftest import EXAMPLE, EXAMPLE_APP, PASSWORD, Cli, assert_one_line_error, gate_env, many

NAMES = ["Deploy to Production", "Deploy to Staging", "Staging Judgement"]


def stored_names(fake: FakeGate) -> list[str]:
    return sorted(p["name"] for p in fake.pipelines(EXAMPLE_APP))


def seed(fake: FakeGate) -> None:
    """Apply the example chain in-process (the command's own apply is tested in test_plan_apply_plan)."""
    from spinpromote.gate import BasicAuth, GateClient

    chain = runpy.run_path(str(EXAMPLE))["chain"]
    with GateClient(fake.url, auth=BasicAuth("alice", PASSWORD)) as gate:
        gate.apply(gate.plan(chain))
    assert stored_names(fake) == NAMES


def test_plan_apply_plan(cli: Cli, fake_gate: FakeGate) -> None:
    """plan exits 2 with changes; apply --yes writes them with progress on stderr; plan then exits 0."""
    env = gate_env(fake_gate)

    # Flags instead of the environment; the password only ever comes from SPINNAKER_PASSWORD.
    flags = ("--gate", fake_gate.url, "--user", "alice", "--header", "X-Team: cd", "--retries", "1")
    plan = cli("plan", EXAMPLE, *flags, env={"SPINNAKER_PASSWORD": PASSWORD})
    assert plan.returncode == 2, plan.stderr
    assert "Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged." in plan.stdout
    assert fake_gate.pipelines(EXAMPLE_APP) == []

    apply = cli("apply", EXAMPLE, "--yes", env=env)
    assert apply.returncode == 0, apply.stderr
    assert "Plan: 3 to create" in apply.stdout
    assert "3 written" in apply.stdout
    assert "[3/3] written" in apply.stderr
    assert stored_names(fake_gate) == NAMES

    again, applied_again = many(cli, ("plan", EXAMPLE), ("apply", EXAMPLE), env=env)
    assert again.returncode == 0, again.stderr
    assert "3 unchanged" in again.stdout
    assert applied_again.returncode == 0, applied_again.stderr
    assert "Nothing to apply." in applied_again.stdout


def test_apply_refuses_to_ask_without_a_terminal(cli: Cli, fake_gate: FakeGate) -> None:
    result = cli("apply", EXAMPLE, env=gate_env(fake_gate), stdin="yes\n")

    assert_one_line_error(result, "stdin is not a terminal", "--yes")
    assert "Plan: 3 to create" in result.stdout  # the plan is still shown
    assert fake_gate.pipelines(EXAMPLE_APP) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_apply_asks_on_a_terminal(fake_gate: FakeGate) -> None:
    """On a terminal apply asks; anything but 'yes' applies nothing, 'yes' applies."""
    import pty

    def apply_answering(answer: str) -> subprocess.CompletedProcess[str]:
        controller, terminal = pty.openpty()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "spinpromote", "apply", str(EXAMPLE)],
                stdin=terminal,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **gate_env(fake_gate)},
            )
            os.write(controller, answer.encode() + b"\n")
            stdout, stderr = process.communicate(timeout=60)
        finally:
            os.close(terminal)
            os.close(controller)
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    refused = apply_answering("no")
    assert_one_line_error(refused, "not applied")
    assert fake_gate.pipelines(EXAMPLE_APP) == []

    accepted = apply_answering("yes")
    assert accepted.returncode == 0, accepted.stderr
    assert "Apply these changes?" in accepted.stdout
    assert stored_names(fake_gate) == NAMES


def test_apply_prune_deletes_what_this_owner_applied_and_no_longer_wants(
    cli: Cli, fake_gate: FakeGate, tmp_path: Path
) -> None:
    env = gate_env(fake_gate)
    seed(fake_gate)
    fewer = tmp_path / "fewer.py"
    fewer.write_text(
        "from spinpromote import Pipeline\n"
        f"only = Pipeline(application={EXAMPLE_APP!r}, name='Deploy to Staging', stages=[])\n",
        encoding="utf-8",
    )

    plan = cli("plan", fewer, "--prune", env=env)
    assert plan.returncode == 2
    assert "2 to delete" in plan.stdout
    assert cli("apply", fewer, "--prune", "--yes", env=env).returncode == 0
    assert stored_names(fake_gate) == ["Deploy to Staging"]


def test_connection_errors_are_one_line(cli: Cli, fake_gate: FakeGate) -> None:
    env = {**gate_env(fake_gate), "SPINNAKER_PASSWORD": "wrong-pw"}
    wrong_password, unreachable, password_flag = many(
        cli,
        ("plan", EXAMPLE),
        ("plan", EXAMPLE, "--gate", "http://127.0.0.1:9", "--retries", "1", "--token", "t0ken"),
        ("plan", EXAMPLE, "--user", "alice", "--password", PASSWORD),
        env=env,
    )
    assert_one_line_error(wrong_password, "Gate refused the login", "SPINNAKER_PASSWORD")
    assert "wrong-pw" not in wrong_password.stderr
    assert_one_line_error(unreachable, "cannot reach Gate at http://127.0.0.1:9: connection refused", "--gate")
    assert "t0ken" not in unreachable.stderr
    # There is no --password flag: passwords never go on the command line. A usage error of plan exits 1,
    # since 2 means "changes pending".
    assert password_flag.returncode == 1
    assert "unrecognized arguments: --password" in password_flag.stderr
    assert fake_gate.pipelines(EXAMPLE_APP) == []


def test_missing_password_and_gate_address(cli: Cli) -> None:
    no_password, no_gate, two_logins, bad_header = many(
        cli,
        ("plan", EXAMPLE, "--gate", "http://127.0.0.1:9", "--user", "alice"),
        ("run", EXAMPLE_APP, "Deploy to Staging"),
        ("plan", EXAMPLE, "--gate", "http://127.0.0.1:9", "--user", "alice", "--token", "t0ken"),
        ("judge", "01H", "Approve", "--stop", "--gate", "http://127.0.0.1:9", "--header", "no colon"),
    )
    assert_one_line_error(no_password, "SPINNAKER_PASSWORD")
    assert_one_line_error(no_gate, "--gate", "SPINNAKER_GATE_URL")
    assert two_logins.returncode == 1  # plan: 2 only ever means "changes pending"
    assert bad_header.returncode == 2
    assert "--user or --token" in two_logins.stderr
    assert "--header expects" in bad_header.stderr and "no colon" not in bad_header.stdout


def test_bearer_token_from_the_environment(cli: Cli) -> None:
    """A token read from a file (``SPINNAKER_TOKEN=$(cat token)`` keeps no newline, but a file read in CI may)."""
    with FakeGate(tokens=["t0ken-secret"]) as fake:
        env = {"SPINNAKER_GATE_URL": fake.url}
        result = cli("plan", EXAMPLE, env={**env, "SPINNAKER_TOKEN": "t0ken-secret\n"})
        broken = cli("plan", EXAMPLE, env={**env, "SPINNAKER_TOKEN": "t0ken-secret\nX-Other: 1"})
        bad_header = cli("plan", EXAMPLE, "--header", "X-Key t0ken-secret", env=env)
    assert result.returncode == 2, result.stderr
    assert "Plan: 3 to create" in result.stdout
    assert_one_line_error(broken, "bearer token", "check where it was read from")
    assert bad_header.returncode == 1
    assert "t0ken-secret" not in broken.stderr + bad_header.stderr


def test_run_judge_and_wait(cli: Cli, fake_gate: FakeGate) -> None:
    env = gate_env(fake_gate)
    seed(fake_gate)

    first, second = many(
        cli, ("run", EXAMPLE_APP, "Staging Judgement"), ("run", EXAMPLE_APP, "Staging Judgement"), env=env
    )
    assert first.returncode == second.returncode == 0, first.stderr
    to_continue, to_stop = first.stdout.strip(), second.stdout.strip()
    assert fake_gate.executions[to_continue]["name"] == "Staging Judgement"
    # A run by hand binds the manifest's default artifact (branch main of acme/demo), which clouddriver fetches
    # at its tip (spinnaker-runtime.md 6.3): the simulated git host needs the file there.
    fake_gate.spinnaker.git.commit("acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment\n"})

    # limitConcurrent queues the second run until the first ends (StartExecutionHandler.kt), so the first is
    # judged before the second; the successful staging run then starts a third, queued behind the second.
    wrong_stage, continued, waited, stopped = many(
        cli,
        ("judge", to_continue, "No Such Stage", "--continue"),
        ("judge", to_continue, "Staging Judgement", "--continue", "--input", "ship it"),
        ("run", EXAMPLE_APP, "Deploy to Staging", "--wait", "--poll", "0.05"),
        ("judge", to_stop, "Staging Judgement", "--stop"),
        env=env,
    )
    assert_one_line_error(wrong_stage, "no Manual Judgment 'No Such Stage'", "'Staging Judgement'")
    assert waited.returncode == 0, waited.stderr
    assert "succeeded" in waited.stderr
    assert continued.returncode == 0, continued.stderr
    assert stopped.returncode == 0, stopped.stderr
    stage = fake_gate.executions[to_continue]["stages"][0]
    assert stage["context"]["judgmentStatus"] == "continue"
    assert stage["context"]["judgmentInput"] == "ship it"
    assert fake_gate.executions[to_continue]["status"] == "SUCCEEDED"
    assert fake_gate.executions[to_stop]["status"] == "TERMINAL"

    again, wait_stopped = many(
        cli,
        ("judge", to_continue, "Staging Judgement", "--stop"),
        ("run", EXAMPLE_APP, "No Such Pipeline", "--wait"),
        env=env,
    )
    assert_one_line_error(again, "not waiting")
    assert_one_line_error(wait_stopped, "No Such Pipeline")


def test_import_an_application_from_gate(cli: Cli, fake_gate: FakeGate, tmp_path: Path) -> None:
    """import --application writes code that renders the live pipelines, upstream first, promotion noted."""
    env = gate_env(fake_gate)
    seed(fake_gate)
    out = tmp_path / "imported.py"

    imported = cli("import", "--application", EXAMPLE_APP, "-o", out, env=env)
    assert imported.returncode == 0, imported.stderr
    code = out.read_text(encoding="utf-8")
    assert "# These pipelines form a promotion" in code
    assert "#   Deploy to Staging -> Staging Judgement" in code

    rendered, plan = many(cli, ("render", out), ("plan", out), env=env)
    assert rendered.returncode == 0, rendered.stderr
    names = [document["name"] for document in json.loads(rendered.stdout)]
    assert names == ["Deploy to Staging", "Staging Judgement", "Deploy to Production"]
    assert plan.returncode == 0, plan.stdout + plan.stderr  # the imported code is exactly what is live
