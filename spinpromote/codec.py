"""The one place that knows Spinnaker's wire format: a configured cattrs Converter for every model class.

Rules, for every class:

- field names are snake_case in Python and camelCase on the wire, apart from a few names in `_RENAMES`;
- a field that is ``None`` is absent from the JSON; an explicit JSON ``null`` is kept in ``extra``;
- keys the model does not know are kept in ``extra`` and written back as they came;
- stages, triggers and artifacts are dispatched on ``type``, unknown types parse into the generic classes;
- the three failure flags of a stage are one `FailurePolicy` in Python.

Rendering functions are generated once per class, so rendering costs little more than building the dict by
hand. Parsing checks structure as it goes and raises `PipelineFormatError` naming the JSON path.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union

import attrs
import cattrs

from spinpromote import model
from spinpromote._jsonpath import child_path
from spinpromote.errors import PipelineFormatError
from spinpromote.model.artifacts import _ArtifactFields
from spinpromote.model.stage_base import StageFields
from spinpromote.model.triggers import _TriggerFields

__all__ = ["converter", "dumps", "loads", "structure", "unstructure"]

T = TypeVar("T")

converter = cattrs.Converter()
"""The single converter: `converter.unstructure(obj)` and `converter.structure(data, cls)` for any model class."""

# Python field name -> wire key, where camelCase of the name is not the key.
_RENAMES: dict[tuple[type, str], str] = {
    (model.ExpectedArtifact, "match"): "matchArtifact",
    (model.ExpectedArtifact, "default"): "defaultArtifact",
    (model.ExecutionWindow, "hours"): "whitelist",
    (model.Pipeline, "parameters"): "parameterConfig",
    (model.ManualJudgment, "roles"): "selectedStageRoles",
}
# Fields spread into their parent object rather than nested under a key.
_FLATTENED = {"failure"}
# Fields that are not on the wire: they are read from, and written to, the ``type`` key.
_TYPE_FIELDS: dict[type, str] = {model.KubernetesObject: "kind", model.GenericArtifact: "type"}
_KUBERNETES_PREFIX = "kubernetes/"

_FAMILIES: dict[type, str] = {StageFields: "stage", _TriggerFields: "trigger", _ArtifactFields: "artifact"}
_GENERIC: dict[type, type] = {
    StageFields: model.GenericStage,
    _TriggerFields: model.GenericTrigger,
    _ArtifactFields: model.GenericArtifact,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _describe(value: Any) -> str:
    kind = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    text = json.dumps(value, default=repr)
    return f"{kind} ({text[:60]}{'...' if len(text) > 60 else ''})"


def _copy_json(value: Any) -> Any:
    """A deep copy that accepts only JSON values, so output and model never share mutable state."""
    cls = type(value)
    if cls is str or cls is int or cls is bool or cls is float or value is None:
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise PipelineFormatError("$", f"object keys must be strings, got {key!r}")
            out[key] = _copy_json(item)
        return out
    if cls is list or cls is tuple:
        return [_copy_json(item) for item in value]
    raise PipelineFormatError(
        "$", f"cannot render {cls.__name__} value {value!r}: use dict, list, str, int, float, bool or None"
    )


def _family(cls: type) -> type | None:
    for base in _FAMILIES:
        if issubclass(cls, base):
            return base
    return None


def _model_classes() -> list[type]:
    found: list[type] = []
    for name in model.__all__:
        obj = getattr(model, name)
        if isinstance(obj, type) and attrs.has(obj):
            found.append(obj)
    for obj in (model.FailurePolicy,):
        if obj not in found:
            found.append(obj)
    return found


# ---------------------------------------------------------------------------------------------------
# Field shapes, read from the type annotations


@attrs.frozen
class _Shape:
    kind: str  # scalar | any | mapping | model | family | tuple
    scalars: tuple[type, ...] = ()
    target: type | None = None  # model class, or family base
    item: _Shape | None = None


def _shape_of(annotation: Any) -> _Shape:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (Union, types.UnionType):
        if len(args) == 1:
            return _shape_of(args[0])
        classes = [a for a in args if isinstance(a, type) and attrs.has(a)]
        if classes:
            families = {_family(c) for c in classes}
            if len(families) != 1 or None in families:
                raise TypeError(f"unsupported union {annotation!r}")
            return _Shape("family", target=families.pop())
        return _Shape("scalar", scalars=tuple(_scalar_types(a) for a in args))
    if origin is tuple:
        return _Shape("tuple", item=_shape_of(typing.get_args(annotation)[0]))
    if origin is not None and issubclass(origin, Mapping):
        return _Shape("mapping")
    if annotation is Any:
        return _Shape("any")
    if isinstance(annotation, type) and attrs.has(annotation):
        return _Shape("model", target=annotation)
    return _Shape("scalar", scalars=(_scalar_types(annotation),))


def _scalar_types(annotation: Any) -> type:
    if annotation not in (str, int, bool, float):
        raise TypeError(f"unsupported field type {annotation!r}")
    return typing.cast(type, annotation)


_SCALAR_NAMES = {str: "a string", int: "a whole number", bool: "true or false", float: "a number"}


def _scalar_ok(value: Any, allowed: tuple[type, ...]) -> bool:
    cls = type(value)
    if cls is bool:
        return bool in allowed
    if cls is int:
        return int in allowed or float in allowed
    if cls is float:
        return float in allowed
    return cls in allowed


@attrs.frozen
class _Field:
    name: str
    key: str
    shape: _Shape


@functools.cache
def _wire_fields(cls: type) -> list[_Field]:
    # resolve_types evaluates the string annotations once and marks the class, so cattrs need not again.
    attrs.resolve_types(cls)
    skip = {"extra", _TYPE_FIELDS.get(cls)}
    if cls in (model.GenericStage, model.GenericTrigger):
        skip.add("type")
    return [
        _Field(field.name, _RENAMES.get((cls, field.name), _camel(field.name)), _shape_of(field.type))
        for field in attrs.fields(cls)
        if field.name not in skip
    ]


# ---------------------------------------------------------------------------------------------------
# Rendering: one generated function per class


_RENDER: dict[type, Callable[[Any], dict[str, Any]]] = {}
_RENDER_NAMESPACE: dict[str, Any] = {"_RENDER": _RENDER, "_copy_json": _copy_json}


def _render_expression(shape: _Shape, var: str) -> str:
    if shape.kind == "scalar":
        return var
    if shape.kind in ("any", "mapping"):
        return f"_copy_json({var})"
    if shape.kind == "model":
        assert shape.target is not None
        return f"render_{shape.target.__name__}({var})"
    if shape.kind == "family":
        return f"_RENDER[{var}.__class__]({var})"
    assert shape.item is not None
    if shape.item.kind == "scalar":
        return f"list({var})"
    return f"[{_render_expression(shape.item, 'x')} for x in {var}]"


def _make_renderer(cls: type) -> Callable[[Any], dict[str, Any]]:
    lines = [f"def render_{cls.__name__}(o):"]
    if _family(cls) is not None:
        if cls in _TYPE_FIELDS or cls in (model.GenericStage, model.GenericTrigger):
            if cls is model.KubernetesObject:
                lines.append(f"    d = {{'type': {_KUBERNETES_PREFIX!r} + o.kind}}")
            else:
                lines.append("    t = o.type")
                lines.append("    d = {} if t is None else {'type': t}")
        else:
            lines.append(f"    d = {{'type': {cls.TYPE!r}}}")  # type: ignore[attr-defined]
    else:
        lines.append("    d = {}")
    for field in _wire_fields(cls):
        lines.append(f"    v = o.{field.name}")
        if field.name in _FLATTENED:
            lines.append("    if v is not None: d.update(render_FailurePolicy(v))")
        else:
            lines.append(f"    if v is not None: d[{field.key!r}] = {_render_expression(field.shape, 'v')}")
    if any(f.name == "extra" for f in attrs.fields(cls)):
        lines.append("    if o.extra:")
        lines.append("        for k, x in o.extra.items():")
        lines.append("            if k not in d: d[k] = _copy_json(x)")
    lines.append("    return d")
    # One namespace for all renderers: nested classes are called by name, resolved when first rendered.
    exec("\n".join(lines), _RENDER_NAMESPACE)
    return typing.cast(Callable[[Any], dict[str, Any]], _RENDER_NAMESPACE[f"render_{cls.__name__}"])


# ---------------------------------------------------------------------------------------------------
# Parsing: checks structure, keeps what it does not know, names the path of anything malformed

_Parser = Callable[[Any, str], Any]
_PARSE: dict[type, _Parser] = {}


def _parse_value(shape: _Shape) -> _Parser:
    if shape.kind == "scalar":
        allowed = shape.scalars
        expected = " or ".join(_SCALAR_NAMES[t] for t in allowed)

        def parse_scalar(value: Any, path: str) -> Any:
            if not _scalar_ok(value, allowed):
                raise PipelineFormatError(path, f"expected {expected}, got {_describe(value)}")
            return value

        return parse_scalar
    if shape.kind == "any":
        return lambda value, path: _copy_json(value)
    if shape.kind == "mapping":

        def parse_mapping(value: Any, path: str) -> Any:
            if type(value) is not dict:
                raise PipelineFormatError(path, f"expected an object, got {_describe(value)}")
            return _copy_json(value)

        return parse_mapping
    if shape.kind == "model":
        assert shape.target is not None
        target = shape.target
        return lambda value, path: _PARSE[target](value, path)
    if shape.kind == "family":
        assert shape.target is not None
        return _FAMILY_PARSERS[shape.target]
    assert shape.item is not None
    parse_item = _parse_value(shape.item)

    def parse_list(value: Any, path: str) -> tuple[Any, ...]:
        if type(value) is not list:
            raise PipelineFormatError(path, f"expected a list, got {_describe(value)}")
        return tuple(parse_item(item, f"{path}[{index}]") for index, item in enumerate(value))

    return parse_list


def _expect_object(value: Any, path: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise PipelineFormatError(path, f"expected an object, got {_describe(value)}")
    return typing.cast(dict[str, Any], value)


def _make_parser(cls: type) -> _Parser:
    fields = _wire_fields(cls)
    by_key = {f.key: (f.name, _parse_value(f.shape)) for f in fields if f.name not in _FLATTENED}
    flattened = (
        {f.key: (f.name, _parse_value(f.shape)) for f in _wire_fields(model.FailurePolicy)}
        if any(f.name in _FLATTENED for f in fields)
        else {}
    )
    names = [f.name for f in attrs.fields(cls) if f.name != "extra"]
    discriminated = _family(cls) is not None

    def parse(data: Any, path: str) -> Any:
        data = _expect_object(data, path)
        kwargs: dict[str, Any] = dict.fromkeys(names)
        extra: dict[str, Any] = {}
        failure: dict[str, Any] = {}
        for key, value in data.items():
            if key == "type" and discriminated:
                if value is None:
                    extra[key] = None
                continue
            spec = by_key.get(key)
            if spec is None:
                flat = flattened.get(key)
                if flat is not None and value is not None:
                    failure[flat[0]] = flat[1](value, child_path(path, key))
                else:
                    extra[key] = _copy_json(value)
                continue
            if value is None:
                extra[key] = None
                continue
            kwargs[spec[0]] = spec[1](value, child_path(path, key))
        if failure:
            kwargs["failure"] = model.FailurePolicy(**failure)
        if discriminated:
            kind = _discriminator(cls, data.get("type"), path)
            if cls is model.KubernetesObject:
                kwargs["kind"] = kind[len(_KUBERNETES_PREFIX) :]  # type: ignore[index]
            elif cls in (model.GenericStage, model.GenericTrigger, model.GenericArtifact):
                kwargs["type"] = kind
        kwargs["extra"] = extra
        return cls(**kwargs)

    return parse


def _discriminator(cls: type, kind: Any, path: str) -> str | None:
    """The ``type`` of a stage, trigger or artifact, checked for the class that parses it."""
    if kind is not None and type(kind) is not str:
        raise PipelineFormatError(child_path(path, "type"), f"expected a string, got {_describe(kind)}")
    if cls is model.GenericStage and kind is None:
        raise PipelineFormatError(child_path(path, "type"), 'a stage needs a type, such as "deployManifest" or "wait"')
    if cls is model.KubernetesObject and not (kind or "").startswith(_KUBERNETES_PREFIX):
        raise PipelineFormatError(
            child_path(path, "type"), f"a KubernetesObject's type is 'kubernetes/<kind>', got {kind!r}"
        )
    result: str | None = kind
    return result


def _make_family_parser(base: type) -> _Parser:
    label = _FAMILIES[base]
    generic = _GENERIC[base]
    by_type = {c.TYPE: c for c in _model_classes() if issubclass(c, base) and "TYPE" in vars(c)}  # type: ignore[attr-defined]

    def parse(data: Any, path: str) -> Any:
        kind = _expect_object(data, path).get("type")
        cls = by_type.get(kind) if type(kind) is str else None
        if cls is None and base is _ArtifactFields and type(kind) is str and kind.startswith(_KUBERNETES_PREFIX):
            cls = model.KubernetesObject
        # The generic class's parser refuses a type that is missing (for stages) or not a string.
        return _PARSE[cls or generic](data, path)

    parse.__name__ = f"parse_{label}"
    return parse


_FAMILY_PARSERS: dict[type, _Parser] = {base: _make_family_parser(base) for base in _FAMILIES}


def _parse_as(cls: type) -> _Parser:
    """The parser for ``cls``: typed classes insist on their own ``type``, bases dispatch on it."""
    base = _family(cls)
    if base is not None and cls in _FAMILIES:
        return _FAMILY_PARSERS[cls]
    parse = _PARSE[cls]
    constant = vars(cls).get("TYPE")
    if constant is None:
        return parse

    def parse_typed(data: Any, path: str) -> Any:
        kind = _expect_object(data, path).get("type")
        if kind != constant:
            raise PipelineFormatError(
                child_path(path, "type"),
                f"{cls.__name__} parses type {constant!r}, got {kind!r}; parse the whole pipeline, "
                f"or use {_GENERIC[typing.cast(type, base)].__name__}.from_dict for any type",
            )
        return parse(data, path)

    return parse_typed


def _register() -> None:
    for cls in _model_classes():
        _RENDER[cls] = _make_renderer(cls)
        _PARSE[cls] = _make_parser(cls)
    for cls in _model_classes():
        converter.register_unstructure_hook(cls, _RENDER[cls])
        converter.register_structure_hook(cls, _structure_hook(_parse_as(cls)))
    for base in _FAMILIES:
        converter.register_structure_hook(base, _structure_hook(_FAMILY_PARSERS[base]))


def _structure_hook(parse: _Parser) -> Callable[[Any, type], Any]:
    def hook(data: Any, _cls: type) -> Any:
        return parse(data, "$")

    return hook


_register()


# ---------------------------------------------------------------------------------------------------
# Public entry points


def unstructure(obj: Any) -> dict[str, Any]:
    """Render a model object as a JSON-ready dict."""
    render = _RENDER.get(obj.__class__)
    if render is None:
        raise TypeError(f"{type(obj).__name__} is not a spinpromote model class")
    return render(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Parse a JSON value into ``cls``; malformed structure raises PipelineFormatError with its path."""
    try:
        result: T = converter.structure(data, cls)
    except RecursionError:
        raise PipelineFormatError("$", "nested too deeply to be a pipeline: flatten the document") from None
    return result


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text, byte-stable: the same value gives the same text in any process."""
    if indent is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)


def loads(text: str | bytes) -> Any:
    """Read JSON text; anything that is not JSON raises PipelineFormatError."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise PipelineFormatError(
            "$", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except UnicodeDecodeError as error:
        raise PipelineFormatError("$", f"not UTF-8 text: {error.reason}") from None
    except RecursionError:
        raise PipelineFormatError("$", "nested too deeply to be a pipeline: flatten the document") from None
    except ValueError as error:  # for example a number with more digits than Python converts
        raise PipelineFormatError("$", f"not valid JSON: {error}") from None


def _reject_constant(name: str) -> Any:
    raise PipelineFormatError("$", f"{name} is not valid JSON; use a number or a string")
