"""``render -o DIR``: every file lands inside DIR, under a portable name, or nothing is written at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spinpromote._cli_source import file_name
from spinpromote.cli import EXIT_FAILURE, EXIT_OK, main


def render(tmp_path: Path, documents: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    source = tmp_path / "source" / "pipelines.json"
    source.parent.mkdir(exist_ok=True)
    source.write_text(json.dumps(documents), encoding="utf-8")
    code = main(["render", str(source), "-o", str(tmp_path / "out" / "dir")])
    return code, capsys.readouterr().err


def written(tmp_path: Path) -> list[str]:
    """Every file under tmp_path but the source, relative to tmp_path."""
    return sorted(
        str(path.relative_to(tmp_path))
        for path in tmp_path.rglob("*")
        if path.is_file() and path.parent.name != "source"
    )


def pipeline(application: str | None, name: str | None) -> dict[str, Any]:
    return {"application": application, "name": name, "stages": []}


@pytest.mark.parametrize(
    ("application", "name"),
    [
        ("..", "package"),
        (".", "package"),
        ("...", "x"),
        ("demo", ".."),
        ("demo", "."),
        ("/", "x"),
        ("demo", "/../.."),
        ("demo", "..\\.."),
        ("demo", "🚀"),
        ("demo", "\x00"),
        ("CON", "x"),
        ("demo", "nul"),
        ("demo", "Com1"),
        ("demo", "LPT9.txt"),
        ("aux.json", "x"),
        ("demo", "prn.tar"),
    ],
)
def test_names_that_would_leave_dir_or_are_reserved_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], application: str, name: str
) -> None:
    documents = [pipeline("demo", "First, a fine one"), pipeline(application, name)]

    code, err = render(tmp_path, documents, capsys)

    assert code == EXIT_FAILURE
    assert written(tmp_path) == []  # not even the fine pipeline: paths are all checked before writing
    assert "rename it" in err
    assert len(err.strip().splitlines()) == 1


def test_long_names_are_cut_to_the_file_system_limit_and_stay_distinct(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "deploy " * 60
    documents = [pipeline("a" * 300, long + "one"), pipeline("a" * 300, long + "two")]

    code, err = render(tmp_path, documents, capsys)

    assert code == EXIT_OK, err
    files = written(tmp_path)
    assert len(files) == 2
    for relative in files:
        assert all(len(part.encode()) <= 255 for part in Path(relative).parts)
        assert relative.endswith(".json")


def test_a_symbolic_link_out_of_dir_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out" / "dir").mkdir(parents=True)
    (tmp_path / "out" / "dir" / "demo").symlink_to(outside, target_is_directory=True)

    code, err = render(tmp_path, [pipeline("demo", "Deploy")], capsys)

    assert code == EXIT_FAILURE
    assert "leads outside" in err
    assert list(outside.iterdir()) == []


def test_ordinary_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    documents = [pipeline("My App", "Deploy to Staging"), pipeline("console", ".hidden."), pipeline(None, None)]
    documents.append(pipeline("demo", "..\\..\\x"))

    code, err = render(tmp_path, documents, capsys)

    assert code == EXIT_OK, err
    assert written(tmp_path) == [
        "out/dir/console/hidden.json",
        "out/dir/demo/x.json",
        "out/dir/my-app/deploy-to-staging.json",
        "out/dir/unknown-application/unnamed.json",
    ]


def test_file_name_rules() -> None:
    assert file_name("Deploy to Staging") == "deploy-to-staging.json"
    assert file_name(None) == "unnamed.json"
    assert file_name("", fallback="unknown-application", suffix="") == "unknown-application"
    assert file_name("console") == "console.json"
    assert len(file_name("x" * 1000)) == 255
    assert file_name("x" * 1000) != file_name("x" * 999)
    for bad in ("..", "/", "CON", "nul.txt", "***"):
        with pytest.raises(ValueError, match="rename it"):
            file_name(bad)


@pytest.mark.parametrize("command", ["render", "validate", "graph", "plan", "apply"])
def test_help_says_that_a_python_source_is_run(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == EXIT_OK

    text = " ".join(capsys.readouterr().out.split())
    assert "the file is RUN as Python code, with your environment and credentials" in text
