"""Import to code: Python source that builds existing pipelines with spinpromote's classes.

`generate` parses each pipeline into the typed model and writes one constructor call per object, naming
only the fields whose value differs from what the constructor would produce on its own. Executing the code
and rendering the pipelines gives back the input JSON exactly. Used by ``spinpromote import``.

The code is laid out by this module, in the style ``ruff format`` (and black) would give it, so the same
input always gives the same bytes, whatever tools are installed. No text from the input reaches the code
unescaped: strings become escaped literals, and names in comments or the docstring are quoted when they hold
anything but printable characters.

```pycon
>>> code = generate([{"application": "demo", "name": "Deploy", "stages": []}])
>>> print(code.splitlines()[5])
from spinpromote import Pipeline
>>> namespace: dict = {}
>>> exec(code, namespace)
>>> namespace["pipeline"].to_dict()
{'application': 'demo', 'name': 'Deploy', 'stages': []}

```
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

import spinpromote
from spinpromote import model

__all__ = ["generate", "promotion_edges", "variable_name"]

_INDENT = "    "
_LINE_LENGTH = 88  # ruff's and black's default
_NAMED_POLICIES = ("halt_pipeline", "halt_branch", "halt_branch_then_fail", "ignore")
# Stages and triggers whose ``pipeline`` field holds another pipeline's id.
_PIPELINE_REFERENCES = (model.PipelineTrigger, model.RunPipeline, model.FindArtifactFromExecution)
_SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def variable_name(name: str | None, taken: set[str]) -> str:
    """A Python identifier for a pipeline name, unique among ``taken`` (which it is added to).

    ```pycon
    >>> taken: set[str] = set()
    >>> variable_name("Deploy to Staging", taken), variable_name("deploy-to-staging", taken)
    ('deploy_to_staging', 'deploy_to_staging_2')

    ```
    """
    base = re.sub(r"[^0-9a-zA-Z]+", "_", name or "").strip("_").lower() or "pipeline"
    if base[0].isdigit() or keyword.iskeyword(base) or base in ("pipelines", "spinpromote"):
        base = f"pipeline_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def promotion_edges(pipelines: Sequence[model.Pipeline]) -> list[tuple[model.Pipeline, model.Pipeline]]:
    """(upstream, downstream) pairs among ``pipelines``: the downstream has a pipeline trigger on the upstream.

    ```pycon
    >>> from spinpromote import Pipeline, PipelineTrigger
    >>> staging = Pipeline(id="s", application="demo", name="Staging")
    >>> production = Pipeline(application="demo", name="Production", triggers=[PipelineTrigger(pipeline="s")])
    >>> [(up.name, down.name) for up, down in promotion_edges([staging, production])]
    [('Staging', 'Production')]

    ```
    """
    by_id = {p.id: p for p in pipelines if p.id}
    edges: list[tuple[model.Pipeline, model.Pipeline]] = []
    seen: set[tuple[int, int]] = set()
    for downstream in pipelines:
        for trigger in downstream.triggers:
            if isinstance(trigger, model.PipelineTrigger) and trigger.pipeline in by_id:
                upstream = by_id[trigger.pipeline]
                if (id(upstream), id(downstream)) not in seen:
                    seen.add((id(upstream), id(downstream)))
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
                arguments["_wire"] = {"keys": list(record.keys)}
                if record.nulls:
                    arguments["_wire"]["nulls"] = sorted(record.nulls)
            return arguments
        for field in fields:
            if getattr(trial, field.name) != getattr(obj, field.name):
                chosen[field.name] = getattr(obj, field.name)
    raise ValueError(f"cannot rebuild {cls.__name__} from its fields")


# -- the expression tree and its layout -----------------------------------------------------------------


@attrs.frozen
class _Brackets:
    """``head(item, ...)`` (a call) or ``[item, ...]`` / ``{item, ...}`` (a literal)."""

    head: str
    opening: str
    items: tuple[_Expression, ...]
    closing: str

    @property
    def is_call(self) -> bool:
        return self.opening == "("


@attrs.frozen
class _Prefixed:
    """``name=value`` or ``"key": value``: a prefix that cannot be split from its value."""

    prefix: str
    value: _Expression


@attrs.frozen
class _Strings:
    """A long text of several lines: one literal, or, when that does not fit, one literal per line."""

    literals: tuple[str, ...]
    joined: str


_Expression = str | _Brackets | _Prefixed | _Strings


def _flat(expression: _Expression) -> str:
    """The expression on one line. Iterative: a 100-level nested value must not exhaust the stack."""
    out: list[str] = []
    todo: list[_Expression] = [expression]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, _Prefixed):
            todo += [item.value, item.prefix]
        elif isinstance(item, _Strings):
            out.append(item.joined)
        else:
            parts: list[_Expression] = [item.head + item.opening]
            for index, child in enumerate(item.items):
                parts += [", ", child] if index else [child]
            parts.append(item.closing)
            todo += reversed(parts)
    return "".join(out)


def _lay_out(expression: _Expression, indent: int, column: int, suffix: int) -> str:
    """The expression as ruff formats it: starting at ``column``, ``suffix`` more characters on its last line.

    A group stays on one line when it fits; otherwise its brackets open, and a call's arguments share one
    line when they fit there (a literal's items never do), else each gets a line and a trailing comma (none
    for a single item: ruff keeps black's rule).
    """
    flat = _flat(expression)
    if column + _width(flat) + suffix <= _LINE_LENGTH:
        return flat
    if isinstance(expression, str):
        return expression  # an atom cannot be split
    if isinstance(expression, _Prefixed):
        prefix = expression.prefix
        return prefix + _lay_out(expression.value, indent, column + _width(prefix), suffix)
    inner = indent + len(_INDENT)
    pad = " " * inner
    if isinstance(expression, _Strings):
        if inner + _width(expression.joined) <= _LINE_LENGTH:  # ruff joins the parts when they fit
            return f"(\n{pad}{expression.joined}\n{' ' * indent})"
        lines = [pad + literal for literal in expression.literals]
        return "(\n" + "\n".join(lines) + "\n" + " " * indent + ")"
    if not expression.items:
        return flat
    opening = expression.head + expression.opening
    closing = "\n" + " " * indent + expression.closing
    joined = ", ".join(_flat(item) for item in expression.items)
    if expression.is_call and inner + _width(joined) <= _LINE_LENGTH:
        return f"{opening}\n{pad}{joined}{closing}"
    comma = "," if len(expression.items) > 1 else ""
    lines = [pad + _lay_out(item, inner, inner, len(comma)) + comma for item in expression.items]
    return opening + "\n" + "\n".join(lines) + closing


class _Writer:
    """Turns values into expressions, collecting the spinpromote names they use."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.pipeline_ids: dict[str, str] = {}
        """Ids of the pipelines written so far -> their variables, so references read ``staging.id``."""

    def value(self, value: Any) -> _Expression:
        if attrs.has(type(value)):
            return self.call(value)
        if isinstance(value, tuple | list):
            return _Brackets("", "[", tuple(self.value(item) for item in value), "]")
        if isinstance(value, Mapping):
            items = tuple(_Prefixed(f"{_literal(str(key))}: ", self.value(item)) for key, item in value.items())
            return _Brackets("", "{", items, "}")
        if isinstance(value, str):
            return _string(value)
        if isinstance(value, float) and not math.isfinite(value):
            return f'float("{value}")'
        if isinstance(value, float):
            return repr(value).replace("e+", "e")  # ruff writes exponents without a plus sign
        if value is None or isinstance(value, bool | int):
            return repr(value)
        raise TypeError(f"cannot write a {type(value).__name__} value as code")

    def call(self, obj: Any) -> _Expression:
        name = self.class_name(type(obj))
        if isinstance(obj, model.FailurePolicy):
            for policy in _NAMED_POLICIES:
                if getattr(model.FailurePolicy, policy)() == obj:
                    return f"{name}.{policy}()"
        arguments = constructor_arguments(obj)
        items = tuple(_Prefixed(f"{field}=", self.argument(obj, field, value)) for field, value in arguments.items())
        return _Brackets(name, "(", items, ")")

    def argument(self, obj: Any, field: str, value: Any) -> _Expression:
        if field == "pipeline" and isinstance(obj, _PIPELINE_REFERENCES) and value in self.pipeline_ids:
            return f"{self.pipeline_ids[value]}.id"
        return self.value(value)

    def class_name(self, cls: type) -> str:
        name = cls.__name__
        if getattr(spinpromote, name, None) is not cls:
            raise TypeError(f"{cls.__module__}.{name} is not exported by spinpromote")
        self.names.add(name)
        return name


def generate(documents: Iterable[Mapping[str, Any]], *, source: str | None = None) -> str:
    """Python source that builds these pipelines, formatted as ``ruff format`` leaves it.

    One pipeline is bound to ``pipeline``; several to one variable each, listed in ``pipelines``.
    ``source`` (a file name, say) is named in the module docstring. Raises `PipelineFormatError` for a
    document that is not a pipeline.

    ```pycon
    >>> staging = {"id": "s", "application": "demo", "name": "Staging", "stages": []}
    >>> trigger = {"type": "pipeline", "pipeline": "s", "status": ["successful"]}
    >>> production = {"application": "demo", "name": "Production", "stages": [], "triggers": [trigger]}
    >>> code = generate([staging, production], source="demo.json")
    >>> print(code.split("from spinpromote")[0].strip().splitlines()[-1])
    #   Staging -> Production
    >>> namespace: dict = {}
    >>> exec(code, namespace)
    >>> [p.name for p in namespace["pipelines"]]
    ['Staging', 'Production']

    ```
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
        prefix = f"{variable} = "
        body.append(prefix + _lay_out(writer.value(pipeline), 0, len(prefix), 0))
        if pipeline.id and not single:
            writer.pipeline_ids.setdefault(pipeline.id, variable)
    if not single:
        body += ["", "pipelines = " + _lay_out(_Brackets("", "[", tuple(names), "]"), 0, len("pipelines = "), 0)]

    where = f" from {_docstring_text(source)}" if source else ""
    header = [
        f'"""Pipelines imported by `spinpromote import`{where}.',
        "",
        "Render them with `spinpromote render FILE.py`; edit freely, this file is yours now.",
        '"""',
        "",
    ]
    if edges:
        header.append("# These pipelines form a promotion (each arrow is a pipeline trigger):")
        header += [
            f"#   {_comment_text(upstream.name)} -> {_comment_text(downstream.name)}" for upstream, downstream in edges
        ]
        header.append("")
    return "\n".join([*header, _import_line(sorted(writer.names)), "", *body]) + "\n"


def _width(text: str) -> int:
    """Columns the text takes, as ruff counts them: wide East Asian characters and emoji take two."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text
    )


def _import_line(names: list[str]) -> str:
    line = "from spinpromote import " + ", ".join(names)
    if len(line) <= _LINE_LENGTH:
        return line
    return "from spinpromote import (\n" + "".join(f"{_INDENT}{name},\n" for name in names) + ")"


def _comment_text(text: str | None) -> str:
    """Text for a comment: as it is when printable (it then cannot end the line), else a quoted literal."""
    if text is None:
        return "(unnamed)"
    return text if text.isprintable() else _literal(text, quote="'")


def _docstring_text(text: str) -> str:
    """Text for the docstring: a quoted literal, itself escaped, unless it is printable without ``\\`` or ``"``."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return _literal(text, quote="'").replace("\\", "\\\\").replace('"', '\\"')


def _string(text: str) -> _Expression:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return _literal(text)
    return _Strings(tuple(_literal(line) for line in lines), _literal(text))


def _literal(text: str, quote: str | None = None) -> str:
    """A Python string literal for ``text`` with every unprintable character escaped, in ruff's quotes.

    Ruff prefers double quotes unless the text holds more of them than single quotes. Only what Python
    needs escaped, and what is not printable (controls, line and paragraph separators, lone surrogates,
    bidirectional overrides), is escaped; other characters stay readable.
    """
    if quote is None:
        quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char == quote or char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES.get(char, "\\" + char))
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return quote + "".join(out) + quote
