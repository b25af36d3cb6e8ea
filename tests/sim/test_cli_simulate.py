"""``spinpromote simulate``: the timeline, and exit 0 all succeeded / 2 one waits / 1 one failed or error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spinpromote.cli import main
from tests.conftest import ROOT

SEED = str(ROOT / "examples" / "artifact_promotion.py")
PUSH = ["--git-push", "acme/demo:main:manifests/demo.yml"]


def test_seed_pushed_and_continued_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """Every execution succeeded: staging fetched the commit, production deployed the content it resolved."""
    assert main(["simulate", SEED, *PUSH, "--judge", "continue"]) == 0
    out = capsys.readouterr().out
    assert "Deploy to Production [" in out and "prod/default by 'Deploy to Production'" in out
    deployed = [line.split(": ", 1)[1] for line in out.splitlines() if "by 'Deploy to" in line]
    assert [line.split(" @ ")[0] for line in deployed] == ["manifests/demo.yml", "text"]  # production is pinned


def test_waiting_judgment_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """The judgment waits: exit 2, and the output says why."""
    assert main(["simulate", SEED, *PUSH]) == 2
    assert "'Staging Judgement' awaits the judgment 'Staging Judgement'" in capsys.readouterr().out


def test_stop_exits_1_with_nothing_in_production(capsys: pytest.CaptureFixture[str]) -> None:
    """A stopped judgment is TERMINAL: exit 1."""
    assert main(["simulate", SEED, *PUSH, "--judge", "stop"]) == 1
    assert "prod/" not in capsys.readouterr().out


def test_failure_at_start_prints_orca_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A chain whose git trigger requires an image fails at start; the first failure is shown in orca's words."""
    source = tmp_path / "chain.py"
    source.write_text(
        "from spinpromote import DockerImage, ExpectedArtifact, GitHubFile, GitTrigger, PromotionChain\n"
        "manifest = ExpectedArtifact(display_name='m', match=GitHubFile(path='k8s/web.yml', artifact_account='gh'))\n"
        "image = ExpectedArtifact(display_name='i', match=DockerImage(image='gcr.io/acme/web'))\n"
        "chain = (PromotionChain('shop', artifact=manifest, required_artifacts=[image])\n"
        "         .trigger(GitTrigger(source='github', project='acme', slug='shop', branch='main'))\n"
        "         .deploy('staging', account='staging'))\n",
        encoding="utf-8",
    )
    assert main(["simulate", str(source), "--git-push", "acme/shop:main:k8s/web.yml"]) == 1
    assert "First failure: Deploy to Staging: Unmatched expected artifact ExpectedArtifact(" in capsys.readouterr().out


def test_docker_push_and_advance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A docker push fires the matching docker trigger; --advance runs a Wait to its end."""
    source = tmp_path / "p.json"
    source.write_text(
        '{"application": "shop", "name": "On image", "triggers": [{"type": "docker", "enabled": true, '
        '"account": "gcr", "registry": "gcr.io", "repository": "acme/web"}], '
        '"stages": [{"refId": "1", "type": "wait", "name": "Soak", "waitTime": 3600}]}',
        encoding="utf-8",
    )
    assert main(["simulate", str(source), "--docker-push", "gcr.io/acme/web:v2"]) == 2
    assert main(["simulate", str(source), "--docker-push", "gcr.io/acme/web:v2", "--advance", "1h"]) == 0
    assert "artifact docker/image gcr.io/acme/web @ v2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments",
    [["--git-push", "acme-demo"], ["--docker-push", "web"], ["--advance", "soon"], ["--judge", "maybe"]],
)
def test_malformed_arguments_are_usage_errors(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Bad event or duration syntax is a usage error (exit 2) naming the expected form."""
    assert main(["simulate", SEED, *arguments]) == 2
    assert "simulate" in capsys.readouterr().err


def test_missing_source_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable SOURCE is an error (exit 1) with one line saying what to fix."""
    assert main(["simulate", "nope.py", *PUSH]) == 1
    assert "nope.py: no such file" in capsys.readouterr().err


def test_names_from_the_source_reach_the_terminal_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pipeline and stage names from a JSON export are anyone's text: no ESC, OSC or line feed is printed raw."""
    source = tmp_path / "hostile.json"
    hostile = {
        "application": "shop",
        "name": "p \x1b]0;pwned\x07",
        "triggers": [{"type": "docker", "enabled": True, "account": "gcr", "registry": "gcr.io", "repository": "a/w"}],
        "stages": [{"refId": "1", "type": "wait", "name": "w\x1b[31m\nFirst failure: forged", "waitTime": 1}],
    }
    source.write_text(json.dumps(hostile), encoding="utf-8")

    main(["simulate", str(source), "--docker-push", "gcr.io/a/w:v1"])
    spin_out = capsys.readouterr().out
    assert "\x1b" not in spin_out and "\x07" not in spin_out
    assert "p \\e]0;pwned\\x07" in spin_out and "w\\e[31m\\nFirst failure: forged" in spin_out
    assert not any(line.startswith("First failure: forged") for line in spin_out.splitlines())


def test_a_reader_that_stops_early_is_no_traceback(tmp_path: Path) -> None:
    """``spinpromote simulate X | head -1``: the rest of the output is dropped, the exit code kept."""
    process = subprocess.Popen(
        [sys.executable, "-m", "spinpromote", "simulate", SEED, *PUSH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    code = process.wait(timeout=60)
    errors = process.stderr.read().decode()
    process.stderr.close()

    assert code == 2, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors
