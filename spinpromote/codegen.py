"""Import to code: Python source that builds existing pipelines with spinpromote's classes.

`generate` parses each pipeline into the typed model and writes one constructor call per object, naming
only the fields whose value differs from what the constructor would produce on its own. Executing the code
and rendering the pipelines gives back the input JSON exactly. Used by ``spinpromote import``.

```pycon
>>> code = generate([{"application": "demo", "name": "Deploy", "stages": []}], formatter=None)
>>> namespace: dict = {}
>>> exec(code, namespace)
>>> namespace["pipeline"].to_dict()
{'application': 'demo', 'name': 'Deploy', 'stages': []}

```
"""

from __future__ import annotations

import json
import keyword
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

import spinpromote
from spinpromote import model

__all__ = ["generate", "promotion_edges", "ruff_format", "variable_name"]

_INDENT = "    "
_NAMED_POLICIES = ("halt_pipeline", "halt_branch", "halt_branch_then_fail", "ignore")
_LONG_STRING = 80
# Stages and triggers whose ``pipeline`` field holds another pipeline's id.
_PIPELINE_REFERENCES = (model.PipelineTrigger, model.RunPipeline, model.FindArtifactFromExecution)


def variable_name(name: str | None, taken: set[str]) -> str:
    """A Python identifier for a pipeline name, unique among ``taken`` (which it is added to)."""
    base = re.sub(r"[^0-9a-zA-Z]+", "_", name or "").strip("_").lower() or "pipeline"
    if base[0].isdigit() or keyword.iskeyword(base) or base in ("pipelines", "spinpromote"):
        base = f"pipeline_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def promotion_edges(pipelines: Sequence[model.Pipeline]) -> list[tuple[model.Pipeline, model.Pipeline]]:
    """(upstream, downstream) pairs among ``pipelines``: the downstream has a pipeline trigger on the upstream."""
    by_id = {p.id: p for p in pipelines if p.id}
    edges: list[tuple[model.Pipeline, model.Pipeline]] = []
    for downstream in pipelines:
        for trigger in downstream.triggers or ():
            if isinstance(trigger, model.PipelineTrigger) and trigger.pipeline in by_id:
                upstream = by_id[trigger.pipeline]
                if (upstream, downstream) not in edges:
                    edges.append((upstream, downstream))
    return edges


def _leave_out(field: attrs.Attribute, value: Any) -> bool:  # type: ignore[type-arg]
    """Whether ``value`` is (probably) what the constructor gives this field when it is not passed.

    Defaults computed from other fields are left out at first; `constructor_arguments` checks the result.
    """
    default = field.default
    if default is attrs.NOTHING:
        return False
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = default
        return True if factory.takes_self else bool(value == factory.factory())
    if callable(field.converter):
        default = field.converter(default)
    return bool(value == default)


def constructor_arguments(obj: Any) -> dict[str, Any]:
    """The fields to pass so that ``type(obj)(**arguments) == obj``, in field order (``extra`` last)."""
    cls = type(obj)
    # Fields outside equality (the codec's private record of a parsed object) are not part of the value.
    fields = sorted(
        (field for field in attrs.fields(cls) if field.init and field.eq), key=lambda field: field.name == "extra"
    )
    chosen = {
        field.name: getattr(obj, field.name) for field in fields if not _leave_out(field, getattr(obj, field.name))
    }
    for _ in range(len(fields) + 1):
        trial = cls(**chosen)
        if trial == obj:
            arguments = {field.name: chosen[field.name] for field in fields if field.name in chosen}
            record = getattr(obj, "_wire", None)
            if record is not None and trial.to_dict() != obj.to_dict():
                # Keys absent, null or empty in the imported JSON that a new object would write otherwise.
                arguments["_wire"] = {"keys": list(record.keys), "nulls": sorted(record.nulls)}
            return arguments
        for field in fields:
            if getattr(trial, field.name) != getattr(obj, field.name):
                chosen[field.name] = getattr(obj, field.name)
    raise ValueError(f"cannot rebuild {cls.__name__} from its fields: {obj!r}")


class _Writer:
    """Writes values as Python expressions, collecting the spinpromote names they use."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.pipeline_ids: dict[str, str] = {}
        """Ids of the pipelines written so far -> their variables, so references read ``staging.id``."""

    def value(self, value: Any, depth: int) -> str:
        if attrs.has(type(value)):
            return self.call(value, depth)
        if isinstance(value, tuple | list):
            return self.sequence([self.value(item, depth + 1) for item in value], "[", "]", depth)
        if isinstance(value, Mapping):
            items = [
                f"{self.string(str(key), depth + 1)}: {self.value(item, depth + 1)}" for key, item in value.items()
            ]
            return self.sequence(items, "{", "}", depth)
        if isinstance(value, str):
            return self.string(value, depth)
        if value is None or isinstance(value, bool | int | float):
            return repr(value)
        raise TypeError(f"cannot write {type(value).__name__} value {value!r} as code")

    def string(self, text: str, depth: int) -> str:
        lines = text.splitlines(keepends=True)
        if len(text) <= _LONG_STRING or len(lines) < 2:
            return _string_literal(text)
        inner = _INDENT * (depth + 1)
        return "(\n" + "".join(f"{inner}{_string_literal(line)}\n" for line in lines) + _INDENT * depth + ")"

    def sequence(self, items: list[str], opening: str, closing: str, depth: int) -> str:
        if not items:
            return opening + closing
        inner = _INDENT * (depth + 1)
        return opening + "\n" + ",\n".join(inner + item for item in items) + "\n" + _INDENT * depth + closing

    def call(self, obj: Any, depth: int) -> str:
        name = self.class_name(type(obj))
        if isinstance(obj, model.FailurePolicy):
            for policy in _NAMED_POLICIES:
                if getattr(model.FailurePolicy, policy)() == obj:
                    return f"{name}.{policy}()"
        arguments = constructor_arguments(obj)
        items = [f"{field}={self.argument(obj, field, value, depth + 1)}" for field, value in arguments.items()]
        if not items:
            return f"{name}()"
        inner = _INDENT * (depth + 1)
        return f"{name}(\n" + ",\n".join(inner + item for item in items) + "\n" + _INDENT * depth + ")"

    def argument(self, obj: Any, field: str, value: Any, depth: int) -> str:
        if field == "pipeline" and isinstance(obj, _PIPELINE_REFERENCES) and value in self.pipeline_ids:
            return f"{self.pipeline_ids[value]}.id"
        return self.value(value, depth)

    def class_name(self, cls: type) -> str:
        name = cls.__name__
        if getattr(spinpromote, name, None) is not cls:
            raise TypeError(f"{cls.__module__}.{name} is not exported by spinpromote")
        self.names.add(name)
        return name


def generate(
    documents: Iterable[Mapping[str, Any]],
    *,
    source: str | None = None,
    formatter: str | None = "ruff",
) -> str:
    """Python source that builds these pipelines; formatted with ``ruff format`` when ruff can be found.

    One pipeline is bound to ``pipeline``; several to one variable each, listed in ``pipelines``.
    Raises `PipelineFormatError` for a document that is not a pipeline.
    """
    pipelines = [model.Pipeline.from_dict(document) for document in documents]
    writer = _Writer()
    taken: set[str] = set()
    single = len(pipelines) == 1
    names = ["pipeline"] if single else [variable_name(p.name, taken) for p in pipelines]
    upstreams: dict[int, list[str]] = {}
    edges = promotion_edges(pipelines)
    for upstream, downstream in edges:
        upstreams.setdefault(id(downstream), []).append(repr(upstream.name))

    body: list[str] = []
    for variable, pipeline in zip(names, pipelines, strict=True):
        if body:
            body.append("")
        if id(pipeline) in upstreams:
            body.append(f"# Promotion: started by a pipeline trigger on {', '.join(upstreams[id(pipeline)])}.")
        body.append(f"{variable} = {writer.value(pipeline, 0)}")
        if pipeline.id and not single:
            writer.pipeline_ids.setdefault(pipeline.id, variable)
    if not single:
        body += ["", "pipelines = [" + ", ".join(names) + "]"]

    formatted = formatter is not None and shutil.which(formatter) is not None
    header = [f'"""Pipelines imported by `spinpromote import`{f" from {source}" if source else ""}.', ""]
    header.append("Render them with `spinpromote render FILE.py`; edit freely, this file is yours now.")
    header.append('"""')
    if not formatted:
        header.append("# Not formatted: ruff was not found. Run `ruff format` on this file to tidy it.")
    if edges:
        header.append("# These pipelines form a promotion (each arrow is a pipeline trigger):")
        header += [f"#   {upstream.name} -> {downstream.name}" for upstream, downstream in edges]
    imports = "from spinpromote import " + _import_list(sorted(writer.names))
    code = "\n".join([*header, "", imports, "", *body]) + "\n"
    return ruff_format(code, formatter) if formatted and formatter else code


def _string_literal(text: str) -> str:
    """A Python string literal in double quotes (JSON's escapes are all valid Python escapes)."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        return repr(text)  # a lone surrogate cannot be written as UTF-8: keep it escaped
    return json.dumps(text, ensure_ascii=False)


def _import_list(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    # No trailing comma: ruff then keeps the list on one line when it fits.
    return "(\n" + ",\n".join(_INDENT + name for name in names) + "\n)"


def ruff_format(code: str, executable: str = "ruff") -> str:
    """``code`` formatted by ``ruff format`` with its default style (project settings are ignored)."""
    result = subprocess.run(
        [executable, "format", "--isolated", "-"],
        input=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed on the generated code: {result.stderr.strip()}")
    return result.stdout
