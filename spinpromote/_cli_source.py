"""Loading the SOURCE of a ``spinpromote`` command: a Python file of chains and pipelines, or pipeline JSON.

Every failure raises `SourceError` with one line that says what to fix.
"""

from __future__ import annotations

import hashlib
import re
import runpy
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from spinpromote.chain import Layout, PromotionChain
from spinpromote.codec import loads
from spinpromote.errors import PipelineFormatError
from spinpromote.model import Pipeline
from spinpromote.validate import Problem

__all__ = ["Loaded", "SourceError", "file_name", "load_source"]

_RUN_NAME = "__spinpromote_source__"

Definition = PromotionChain | Pipeline


class SourceError(Exception):
    """SOURCE cannot be used; the message is one line naming what to fix."""


# Names Windows reserves for devices, with or without an extension (CON, con.json, lpt1.txt, ...).
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
_MAX_NAME_BYTES = 255  # per path component, on Linux, macOS and Windows alike


def file_name(name: str | None, *, fallback: str = "unnamed", suffix: str = ".json") -> str:
    """A pipeline (or application) name as a portable file name: ``Deploy to Staging`` -> ``deploy-to-staging.json``.

    Only letters, digits, ``.``, ``_`` and ``-`` are kept, so the result never holds a path separator; no name
    becomes ``.`` or ``..``. A name with nothing usable left, or one that Windows reserves (``CON``, ``NUL``,
    ``COM1``, ...), raises ValueError saying so; an overlong name is cut and given a hash of the full name.

    ```pycon
    >>> file_name("  Prod / EU (blue) ")
    'prod-eu-blue.json'
    >>> file_name("..")
    Traceback (most recent call last):
    ...
    ValueError: '..' leaves no usable file name (only letters, digits, '.', '_' and '-' are kept): rename it

    ```
    """
    if not name:
        return fallback + suffix
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.").lower()
    if not stem:
        raise ValueError(
            f"{name!r} leaves no usable file name (only letters, digits, '.', '_' and '-' are kept): rename it"
        )
    if stem.split(".")[0] in _WINDOWS_RESERVED:
        raise ValueError(f"{name!r} would be written as {stem + suffix!r}, a name Windows reserves: rename it")
    if len(stem) + len(suffix) > _MAX_NAME_BYTES:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stem = stem[: _MAX_NAME_BYTES - len(suffix) - len(digest) - 1].rstrip("-.") + "-" + digest
    return stem + suffix


@attrs.frozen
class Loaded:
    """What SOURCE defines: (variable name, chain or pipeline), in the order the file defines them."""

    source: str
    definitions: tuple[tuple[str, Definition], ...]

    def pipelines(self, layout: Layout | None = None) -> list[Pipeline]:
        """Every pipeline, chains rendered in ``layout`` (default: each chain's own), upstream first."""
        result: list[Pipeline] = []
        for name, definition in self.definitions:
            if isinstance(definition, PromotionChain):
                result += _chain_call(name, lambda chain=definition: chain.pipelines(layout))
            else:
                result.append(definition)
        return result

    def problems(self, layout: Layout | None = None) -> list[Problem]:
        """Every problem: each chain's (its pipelines and the chain's own checks) and each pipeline's."""
        result: list[Problem] = []
        for name, definition in self.definitions:
            if isinstance(definition, PromotionChain):
                result += _chain_call(name, lambda chain=definition: chain.validate(layout))
            else:
                result += definition.validate()
        return result


def _chain_call(name: str, call: Any) -> list[Any]:
    try:
        return list(call())
    except ValueError as error:
        raise SourceError(f"chain {name!r} cannot be rendered: {error}") from error


def load_source(spec: str) -> Loaded:
    """Load ``FILE.py``, ``FILE.py:NAME`` or ``FILE.json`` (one pipeline, or a list of them)."""
    path, name = _split(spec)
    if not path.exists():
        raise SourceError(f"{path}: no such file; give a .py file defining a PromotionChain or Pipeline, or a .json")
    if path.is_dir():
        raise SourceError(f"{path} is a folder; give a .py or .json file")
    if path.suffix == ".json":
        if name is not None:
            raise SourceError(f"{spec}: ':NAME' picks a variable of a Python file, not of a JSON file")
        return Loaded(str(path), tuple(_load_json(path)))
    if path.suffix != ".py":
        raise SourceError(f"{path}: expected a .py or .json file")
    namespace = _run(path)
    if name is not None:
        if name not in namespace:
            raise SourceError(f"{path} has no variable {name!r}; it defines {_describe_available(namespace)}")
        found = list(_definitions(name, namespace[name]))
        if not found:
            kind = type(namespace[name]).__name__
            raise SourceError(f"{path}:{name} is not a PromotionChain or Pipeline (it is of type {kind})")
        return Loaded(f"{path}:{name}", tuple(found))
    found = []
    seen: set[int] = set()
    for variable, value in namespace.items():
        if variable.startswith("_"):
            continue
        for item in _definitions(variable, value):
            if id(item[1]) not in seen:
                seen.add(id(item[1]))
                found.append(item)
    if not found:
        raise SourceError(
            f"{path} defines no PromotionChain or Pipeline at module level: assign one to a variable, "
            "or pick one with FILE:NAME"
        )
    return Loaded(str(path), tuple(found))


def _split(spec: str) -> tuple[Path, str | None]:
    if Path(spec).exists():
        return Path(spec), None
    head, colon, tail = spec.rpartition(":")
    if colon and head and tail.isidentifier():
        return Path(head), tail
    return Path(spec), None


def _definitions(variable: str, value: Any) -> Iterator[tuple[str, Definition]]:
    if isinstance(value, (PromotionChain, Pipeline)):
        yield variable, value
    elif isinstance(value, (list, tuple)) and value and all(isinstance(item, Pipeline) for item in value):
        for index, item in enumerate(value):
            yield f"{variable}[{index}]", item


def _describe_available(namespace: dict[str, Any]) -> str:
    names = [name for name, value in namespace.items() if not name.startswith("_") and list(_definitions(name, value))]
    return "these chains and pipelines: " + ", ".join(names) if names else "no chain or pipeline"


def read_json(path: Path) -> Any:
    """The JSON value in a file; unreadable files and bad JSON raise SourceError naming the file."""
    try:
        return loads(path.read_bytes())
    except PipelineFormatError as error:
        raise SourceError(f"{path}: {error.message}") from error
    except OSError as error:
        raise SourceError(f"{path}: cannot read it: {error.strerror}") from error


def _load_json(path: Path) -> Iterator[tuple[str, Pipeline]]:
    data = read_json(path)
    documents = data if isinstance(data, list) else [data]
    for index, document in enumerate(documents):
        where = f"{path}[{index}]" if isinstance(data, list) else str(path)
        try:
            yield where, Pipeline.from_dict(document)
        except PipelineFormatError as error:
            raise SourceError(f"{where}: not a pipeline: {error.message} at {error.path}") from error


def _run(path: Path) -> dict[str, Any]:
    """Run the file as a module (not as __main__), its folder importable, and return its globals."""
    folder = str(path.resolve().parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        return runpy.run_path(str(path), run_name=_RUN_NAME)
    except SyntaxError as error:
        raise SourceError(f"{error.filename or path}:{error.lineno}: syntax error: {error.msg}") from error
    except SystemExit as error:
        raise SourceError(f"{path} called exit({error.code}) while loading: guard it with __main__") from error
    except Exception as error:
        line = _line_in(path, error)
        where = f"{path}:{line}" if line else str(path)
        raise SourceError(f"{where}: running it failed: {type(error).__name__}: {error}") from error
    finally:
        if added:
            sys.path.remove(folder)


def _line_in(path: Path, error: BaseException) -> int | None:
    """The last line of ``path`` in the error's traceback."""
    target = str(path.resolve())
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename and Path(frame.filename).resolve() == Path(target):
            line = frame.lineno
    return line
