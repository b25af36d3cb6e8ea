"""``spinpromote render`` and ``validate``, plus help, usage errors and errors for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinpromote import Pipeline
from spinpromote._cli_source import file_name
from spinpromote.cli import main
from tests.cli.conftest import EXAMPLE, Cli, assert_one_line_error, many, run_cli
from tests.conftest import ROOT

COMMANDS = ["render", "validate", "plan", "apply", "run", "judge", "import"]


def example_chain_documents(layout: str = "pipelines") -> list[dict[str, object]]:
    import runpy

    chain = runpy.run_path(str(EXAMPLE))["chain"]
    documents: list[dict[str, object]] = chain.render(layout)
    return documents


def test_help_on_the_command_and_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    """--help works everywhere and exits 0 (in-process for speed; the top level also as a real command)."""
    top = run_cli("--help")
    assert top.returncode == 0
    for command in COMMANDS:
        assert command in top.stdout
        assert main([command, "--help"]) == 0
        assert capsys.readouterr().out.startswith(f"usage: spinpromote {command}")


@pytest.mark.parametrize(
    "argv",
    [[], ["render"], ["frobnicate"], ["judge", "01H", "Approve"], ["judge", "01H", "Approve", "--continue", "--stop"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: spinpromote" in capsys.readouterr().err


def test_usage_error_from_the_real_command() -> None:
    result = run_cli("render")
    assert result.returncode == 2
    assert "SOURCE" in result.stderr


def test_render_to_stdout_is_the_chain_as_a_json_array_and_byte_stable(cli: Cli) -> None:
    first, second = many(cli, ("render", EXAMPLE), ("render", EXAMPLE))

    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == example_chain_documents()
    assert first.stdout == second.stdout


def test_render_layout_single(cli: Cli) -> None:
    result = cli("render", EXAMPLE, "--layout", "single")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == example_chain_documents("single")
    assert len(json.loads(result.stdout)) == 1


def test_render_to_a_folder_writes_the_golden_files(cli: Cli, tmp_path: Path) -> None:
    """With -o, DIR/<application>/<pipeline file name>.json, byte for byte the reviewed golden files."""
    result = cli("render", EXAMPLE, "-o", tmp_path / "out")

    assert result.returncode == 0, result.stderr
    written = tmp_path / "out" / "artifact-promotion-demo"
    golden = ROOT / "tests" / "golden" / "artifact_promotion"
    assert sorted(p.name for p in written.iterdir()) == sorted(p.name for p in golden.glob("*.json"))
    for path in golden.glob("*.json"):
        assert (written / path.name).read_bytes() == path.read_bytes()


def test_file_name_of_a_pipeline() -> None:
    assert file_name("Deploy to Staging") == "deploy-to-staging.json"
    assert file_name("  Prod / EU (blue) ") == "prod-eu-blue.json"
    assert file_name("") == "unnamed.json"


def test_render_picks_one_variable_and_reads_json(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "pipelines.py"
    source.write_text(
        "from spinpromote import Pipeline, Wait\n"
        "a = Pipeline(application='demo', name='A', stages=[Wait(ref_id='1', name='w', wait_time=5)])\n"
        "b = Pipeline(application='demo', name='B')\n"
        "if __name__ == '__main__':\n"
        "    raise SystemExit('must not run')\n",
        encoding="utf-8",
    )
    document: dict[str, object] = {"application": "demo", "name": "From JSON", "stages": [], "unknownKey": None}
    (tmp_path / "a.json").write_text(json.dumps(document), encoding="utf-8")

    both, only_b, from_json, unknown = many(
        cli,
        ("render", source),
        ("render", f"{source}:b"),
        ("render", tmp_path / "a.json"),
        ("render", f"{source}:nope"),
    )

    assert [d["name"] for d in json.loads(both.stdout)] == ["A", "B"]
    assert [d["name"] for d in json.loads(only_b.stdout)] == ["B"]
    assert from_json.returncode == 0, from_json.stderr
    assert json.loads(from_json.stdout) == [document]
    assert_one_line_error(unknown, "no variable 'nope'", "these chains and pipelines: a, b")


def test_validate_the_example_passes(cli: Cli) -> None:
    result = cli("validate", EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stderr


def test_validate_reports_pipeline_path_and_severity_and_fails_on_errors(cli: Cli, tmp_path: Path) -> None:
    broken = Pipeline.from_dict(
        {
            "application": "demo",
            "name": "Broken",
            "stages": [{"type": "wait", "refId": "1", "name": "w", "waitTime": 5, "requisiteStageRefIds": ["9"]}],
        }
    )
    (tmp_path / "broken.json").write_text(broken.to_json(), encoding="utf-8")

    result = cli("validate", tmp_path / "broken.json")

    assert result.returncode == 1
    expected = [str(problem) for problem in broken.validate()]
    assert expected
    assert result.stdout.splitlines() == expected
    assert "error: 'Broken' $.stages[0].requisiteStageRefIds" in result.stdout
    assert "error(s)" in result.stderr


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (None, ["missing.py", "no such file"]),
        ("chain = (\n", ["bad.py:1", "syntax error"]),
        ("x = 1\n", ["bad.py", "no PromotionChain or Pipeline"]),
        ("import not_a_module_anywhere\n", ["bad.py:1", "ModuleNotFoundError"]),
    ],
    ids=["missing", "syntax-error", "no-chain", "raises"],
)
def test_bad_source_is_one_clear_line(cli: Cli, tmp_path: Path, content: str | None, fragments: list[str]) -> None:
    path = tmp_path / ("missing.py" if content is None else "bad.py")
    if content is not None:
        path.write_text(content, encoding="utf-8")

    command = "validate" if content == "x = 1\n" else "render"  # both load SOURCE the same way
    assert_one_line_error(cli(command, path), *fragments)


def test_bad_json_source(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"name": ', encoding="utf-8")
    (tmp_path / "wrong.json").write_text('{"application": "a", "name": 3}', encoding="utf-8")

    bad, wrong = many(cli, ("render", tmp_path / "bad.json"), ("validate", tmp_path / "wrong.json"))
    assert_one_line_error(bad, "bad.json", "not valid JSON")
    assert_one_line_error(wrong, "wrong.json", "$.name")


def test_debug_shows_the_traceback(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")

    debug, debug_first = many(
        cli, ("render", tmp_path / "bad.py", "--debug"), ("--debug", "render", tmp_path / "bad.py")
    )

    assert "spinpromote: error:" in debug.stderr
    assert debug.returncode == debug_first.returncode == 1
    assert "Traceback" in debug.stderr
    assert "Traceback" in debug_first.stderr
