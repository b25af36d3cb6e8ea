"""The one place that knows Spinnaker's wire format: one cattrs Converter for every model class.

Rules, for every class:

- field names are snake_case in Python and camelCase on the wire, apart from a few names in `_RENAMES`
  (`wire_path` answers "which key is this field?" from the same table);
- stages, triggers and artifacts are dispatched on ``type``; unknown types parse into the generic classes;
- keys the model does not know are kept in ``extra`` and written back as they came;
- the three failure flags of a stage are one `FailurePolicy` in Python;
- a parsed object remembers (privately, see `WireRecord`) its key order and which keys were absent or
  ``null``, so rendering it gives back the same JSON text; objects built in Python render in Deck's order,
  leaving out unset fields and empty collections Deck does not write.

The per-class functions come from ``cattrs.gen`` (``make_dict_unstructure_fn`` / ``make_dict_structure_fn``
with ``override``), made on first use of each class. Thin wrappers around them add what cattrs does not do:
the discriminator, unknown keys, absent versus ``null``, key order, the flattened failure flags and strict
scalars. Errors name the JSON path in wire names, such as ``$.stages[2].waitTime``.
"""

from __future__ import annotations

import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar, Union

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import (
    make_dict_structure_fn,
    make_dict_unstructure_fn_from_attrs,
    override,
)

from spinpromote import model
from spinpromote._jsonpath import child_path
from spinpromote.errors import PipelineFormatError
from spinpromote.model._base import SpinnakerObject, WireRecord
from spinpromote.model._frozen import EMPTY, MAX_DEPTH, FrozenDict, freeze, thaw
from spinpromote.model.artifacts import _ArtifactFields
from spinpromote.model.stage_base import StageFields
from spinpromote.model.triggers import _TriggerFields

__all__ = [
    "converter",
    "dumps",
    "duplicate_keys",
    "is_written",
    "loads",
    "parse_json",
    "structure",
    "unstructure",
    "wire_path",
]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=True)
"""The single converter: `converter.unstructure(obj)` and `converter.structure(data, cls)` for any model class."""

# Python field name -> wire key, where camelCase of the name is not the key.
_RENAMES: dict[tuple[type, str], str] = {
    (model.ExpectedArtifact, "match"): "matchArtifact",
    (model.ExpectedArtifact, "default"): "defaultArtifact",
    (model.ExecutionWindow, "hours"): "whitelist",
    (model.Pipeline, "parameters"): "parameterConfig",
    (model.ManualJudgment, "roles"): "selectedStageRoles",
    # orca BakeManifestContext.java:41 (@JsonProperty("includeCRDs")), rosco HelmBakeManifestRequest, Deck
    (model.BakeManifest, "include_crds"): "includeCRDs",
}
# Collections Deck writes even when empty (a stage's ``requisiteStageRefIds: []``); other empty collections
# and mappings of an object built in Python are left out, as Deck leaves them out.
_ALWAYS_WRITTEN: set[tuple[type, str]] = {
    (model.Pipeline, "triggers"),
    (model.Pipeline, "parameters"),
    (model.Pipeline, "notifications"),
    (model.Pipeline, "stages"),
    (StageFields, "requisite_stage_ref_ids"),
    (model.ManualJudgment, "judgment_inputs"),
    (model.ManualJudgment, "notifications"),
    (model.CheckPreconditions, "preconditions"),
    (model.ExecutionWindow, "hours"),
    (model.TrafficOptions, "services"),
    (model.PipelineTrigger, "status"),
}
# The stage's `FailurePolicy` is spread into the stage as three flags, under this pseudo-key in between.
_FAILURE = "\0failure"
_FAILURE_KEYS = frozenset(("failPipeline", "continuePipeline", "completeOtherBranchesThenFail"))
_KUBERNETES_PREFIX = "kubernetes/"
# Each family's base, and the class for the types the model does not know.
_FAMILIES: dict[type, type] = {
    StageFields: model.GenericStage,
    _TriggerFields: model.GenericTrigger,
    _ArtifactFields: model.GenericArtifact,
}
# Fields read from and written to the ``type`` key rather than a key of their own.
_TYPE_FIELDS: dict[type, str] = {
    model.GenericStage: "type",
    model.GenericTrigger: "type",
    model.GenericArtifact: "type",
    model.KubernetesObject: "kind",
}
_PRIVATE = {"_wire", "extra"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_path(cls: type, field_name: str) -> str:
    """The JSON key under which ``cls`` writes the field ``field_name``, for building JSON paths.

    ```pycon
    >>> wire_path(model.ExpectedArtifact, "match"), wire_path(model.Wait, "wait_time")
    ('matchArtifact', 'waitTime')

    ```
    """
    if field_name in _PRIVATE or getattr(attrs.fields(cls), field_name, None) is None:
        raise ValueError(f"{cls.__name__} has no field {field_name!r}")
    if field_name == "failure" and issubclass(cls, StageFields):
        raise ValueError("a stage's failure policy is three keys: use wire_path(FailurePolicy, <flag field>)")
    if field_name == _TYPE_FIELDS.get(cls):
        return "type"
    for klass in cls.__mro__:
        key = _RENAMES.get((klass, field_name))
        if key is not None:
            return key
    return _camel(field_name)


def is_written(obj: Any, field_name: str) -> bool:
    """Whether ``obj.to_dict()`` carries a value (not null) for the field: set, or present in the input.

    An empty collection counts when Deck writes it for new objects, or when the parsed JSON had it.

    ```pycon
    >>> is_written(model.Pipeline.from_dict({"application": "a", "name": "p"}), "stages")
    False
    >>> is_written(model.Pipeline(application="a", name="p"), "stages")
    True

    ```
    """
    value = getattr(obj, field_name)
    if value is None:
        return False
    if not (isinstance(value, (tuple, Mapping)) and not value):
        return True
    record = obj._wire
    if record is None:
        return _always_written(type(obj), field_name)
    key = wire_path(type(obj), field_name)
    return key in record.keys and key not in record.nulls


def _family(cls: type) -> type | None:
    for base in _FAMILIES:
        if issubclass(cls, base):
            return base
    return None


def _always_written(cls: type, name: str) -> bool:
    return any((klass, name) in _ALWAYS_WRITTEN for klass in cls.__mro__)


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


# ---------------------------------------------------------------------------------------------------
# Field kinds, read from the resolved annotations


class _Kind(NamedTuple):
    name: str  # scalar | json | mapping | model | family | tuple
    scalars: frozenset[type] = frozenset()
    target: type | None = None  # model class, or family base
    item: _Kind | None = None


_SCALAR_NAMES = {str: "a string", int: "a whole number", bool: "true or false", float: "a number"}


def _kind_of(annotation: Any) -> _Kind:
    origin = typing.get_origin(annotation)
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if origin in (Union, types.UnionType):
        if len(args) == 1:
            return _kind_of(args[0])
        classes = [arg for arg in args if isinstance(arg, type) and issubclass(arg, SpinnakerObject)]
        if classes:
            families = {_family(cls) for cls in classes}
            if len(families) != 1 or None in families or len(classes) != len(args):
                raise TypeError(f"unsupported union {annotation!r}")
            return _Kind("family", target=families.pop())
        return _Kind("scalar", scalars=frozenset().union(*(_scalar_types(arg) for arg in args)))
    if origin is tuple:
        return _Kind("tuple", item=_kind_of(typing.get_args(annotation)[0]))
    if origin is not None and issubclass(origin, Mapping):
        return _Kind("mapping")
    if annotation is Any:
        return _Kind("json")
    if isinstance(annotation, type) and issubclass(annotation, SpinnakerObject):
        return _Kind("model", target=annotation)
    return _Kind("scalar", scalars=frozenset(_scalar_types(annotation)))


def _scalar_types(annotation: Any) -> set[type]:
    if annotation not in _SCALAR_NAMES:
        raise TypeError(f"unsupported field type {annotation!r}")
    # A whole number is a valid float; a boolean is never a number.
    return {int, float} if annotation is float else {annotation}


class _Field(NamedTuple):
    name: str
    key: str
    kind: _Kind
    default: Any


_FIELDS: dict[type, list[_Field]] = {}


def _fields(cls: type) -> list[_Field]:
    """The wire fields of ``cls`` (not ``extra``, not the record, not a field held in ``type``)."""
    found = _FIELDS.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        skip = _PRIVATE | {_TYPE_FIELDS.get(cls)}
        found = _FIELDS[cls] = [
            _Field(
                field.name,
                wire_path(cls, field.name) if field.name != "failure" else _FAILURE,
                _kind_of(field.type),
                field.default,
            )
            for field in attrs.fields(cls)
            if field.name not in skip
        ]
    return found


# ---------------------------------------------------------------------------------------------------
# Rendering


_RENDERERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _render_any(obj: Any) -> dict[str, Any]:
    render = _RENDERERS.get(obj.__class__)
    if render is None:
        render = typing.cast(Callable[[Any], dict[str, Any]], converter.get_unstructure_hook(obj.__class__))
    return render(obj)


def _render_optional(render: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else render(value)


def _field_renderer(kind: _Kind, *, nullable: bool) -> Callable[[Any], Any]:
    """The hook rendering one field; ``nullable`` when the generated code may pass it None."""
    if kind.name == "scalar":
        return identity
    if kind.name in ("json", "mapping"):
        return thaw
    if kind.name in ("model", "family"):
        # Dispatched on the value's class, so nested classes get their functions only when first met.
        return _render_optional(_render_any) if nullable else _render_any
    assert kind.item is not None
    if kind.item.name == "scalar":
        return list
    if kind.item.name in ("model", "family"):
        renderers = _RENDERERS
        return lambda values: [(renderers.get(value.__class__) or _render_any)(value) for value in values]
    render_item = _field_renderer(kind.item, nullable=False)
    return lambda values: [render_item(value) for value in values]


def _type_attribute(cls: type) -> attrs.Attribute | None:  # type: ignore[type-arg]
    """An attribute for the ``type`` key, so that the generated function writes it first, as Deck does.

    Typed classes read their ``TYPE`` constant, KubernetesObject its ``type`` property, the generic classes
    their ``type`` field (left out when None).
    """
    if _family(cls) is None:
        return None
    first = attrs.fields(cls)[0]
    if cls in (model.GenericStage, model.GenericTrigger, model.GenericArtifact):
        generic_type: attrs.Attribute = attrs.fields_dict(cls)["type"]  # type: ignore[type-arg]
        return generic_type
    name = "type" if cls is model.KubernetesObject else "TYPE"
    synthetic: attrs.Attribute = first.evolve(  # type: ignore[type-arg]
        name=name, alias=name, default=attrs.NOTHING, converter=None, type=str
    )
    return synthetic


def _make_renderer(cls: type) -> Callable[[Any], dict[str, Any]]:
    fields = _fields(cls)
    omitted = {name: override(omit=True) for name in _PRIVATE | {_TYPE_FIELDS.get(cls)} if name}
    type_attribute = _type_attribute(cls)
    attributes = [attribute for attribute in attrs.fields(cls) if attribute.name not in omitted]
    if type_attribute is not None:
        attributes.insert(0, type_attribute)
        omitted[type_attribute.name] = override(rename="type", unstruct_hook=identity)
    # Parsed objects: every field, so that keys present in the input (even empty) are written back.
    full: dict[str, Any] = dict(omitted)
    # Built in Python: a field is written unless it is None, or a collection Deck leaves out when empty.
    # cattrs compares a field with its default to leave it out; that comparison value is set here, and
    # every field is conditional so that the keys keep the model's (Deck's) order.
    sparse: dict[str, Any] = dict(omitted)
    unset: dict[str, Any] = {}
    for field in fields:
        full[field.name] = override(rename=field.key, unstruct_hook=_field_renderer(field.kind, nullable=True))
        sparse[field.name] = override(
            rename=field.key, omit_if_default=True, unstruct_hook=_field_renderer(field.kind, nullable=False)
        )
        optional = not _always_written(cls, field.name)
        unset[field.name] = {"tuple": () if optional else None, "mapping": EMPTY}.get(field.kind.name)
    if type_attribute is not None and type_attribute.default is None:
        unset[type_attribute.name] = None
        sparse[type_attribute.name] = override(rename="type", omit_if_default=True, unstruct_hook=identity)
    render_sparse: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn_from_attrs(
        [
            attribute.evolve(default=unset[attribute.name], converter=None) if attribute.name in unset else attribute
            for attribute in attributes
        ],
        cls,
        converter,
        **sparse,
    )
    made: list[Callable[[Any], dict[str, Any]]] = []

    def render_full(obj: Any) -> dict[str, Any]:
        if not made:  # only parsed objects need it: made on first use
            made.append(make_dict_unstructure_fn_from_attrs(attributes, cls, converter, **full))
        return made[0](obj)

    spread = any(field.key == _FAILURE for field in fields)
    emptyable = frozenset(field.key for field in fields if field.kind.name in ("tuple", "mapping"))

    def render(obj: Any) -> dict[str, Any]:
        record = obj._wire
        if record is not None:
            values = render_full(obj)
            return _in_recorded_order(_spread(values) if spread else values, obj.extra, record, emptyable)
        out = render_sparse(obj)
        if spread and _FAILURE in out:
            out = _spread(out)
        if obj.extra:
            for key, value in obj.extra.items():
                if out.get(key) is None:
                    out[key] = thaw(value)
        return out

    _RENDERERS[cls] = render
    return render


def _spread(values: dict[str, Any]) -> dict[str, Any]:
    """The failure policy's flags in its place."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == _FAILURE:
            if value is not None:
                out.update(value)
        else:
            out[key] = value
    return out


def _in_recorded_order(
    fields: dict[str, Any], extra: Mapping[str, Any], record: WireRecord, emptyable: frozenset[str]
) -> dict[str, Any]:
    """A parsed object's keys in their input order, absent and null as they were; keys set since follow."""
    out: dict[str, Any] = {}
    nulls = record.nulls
    for key in record.keys:
        value = fields.get(key)
        if value is None and key in extra:
            out[key] = thaw(extra[key])
        elif value is None or (key in nulls and key in emptyable and not value):
            if key in nulls:
                out[key] = None
        else:
            out[key] = value
    for key, value in fields.items():
        if key not in out and value is not None and not (key in emptyable and not value):
            out[key] = value
    for key, value in extra.items():
        if out.get(key) is None:
            out[key] = thaw(value)
    return out


# ---------------------------------------------------------------------------------------------------
# Parsing


Hook = Callable[[Any, Any], Any]


def _fail(message: str) -> typing.NoReturn:
    raise PipelineFormatError("$", message)


def _scalar_parser(allowed: frozenset[type]) -> Hook:
    expected = " or ".join(
        _SCALAR_NAMES[cls]
        for cls in (str, int, bool, float)
        if cls in allowed and not (cls is int and float in allowed)
    )

    def parse_scalar(value: Any, _type: Any) -> Any:
        if value is None or value.__class__ in allowed:
            return value
        _fail(f"expected {expected}, got {_describe(value)}")

    return parse_scalar


def _parse_json(value: Any, _type: Any) -> Any:
    return freeze(value)


def _parse_mapping(value: Any, _type: Any) -> FrozenDict:
    if value is None:
        return EMPTY
    if type(value) is not dict:
        _fail(f"expected an object, got {_describe(value)}")
    frozen: FrozenDict = freeze(value)
    return frozen


def _parse_optional(parse: Callable[[Any, Any], Any], target: type) -> Hook:
    def parse_optional(value: Any, _type: Any) -> Any:
        return None if value is None else parse(value, target)

    return parse_optional


def _tuple_parser(parse_item: Hook, item_type: Any) -> Hook:
    def parse_tuple(values: Any, tuple_type: Any) -> tuple[Any, ...]:
        if values is None:
            return ()
        if type(values) is not list:
            _fail(f"expected a list, got {_describe(values)}")
        out = []
        for index, value in enumerate(values):
            try:
                out.append(parse_item(value, item_type))
            except Exception as error:
                # as cattrs notes it (add_note is Python 3.11+)
                error.__notes__ = [*getattr(error, "__notes__", []), IterableValidationNote("item", index, item_type)]  # type: ignore[attr-defined]
                raise IterableValidationError("While structuring a list", [error], tuple_type) from None
        return tuple(out)

    return parse_tuple


def _not_null(parse: Hook) -> Hook:
    def parse_item(value: Any, item_type: Any) -> Any:
        if value is None:
            _fail("expected a value, got null: remove the item")
        return parse(value, item_type)

    return parse_item


def _field_parser(kind: _Kind) -> Hook:
    if kind.name == "scalar":
        return _scalar_parser(kind.scalars)
    if kind.name == "json":
        return _parse_json
    if kind.name == "mapping":
        return _parse_mapping
    if kind.name == "model":
        assert kind.target is not None
        return _parse_optional(_parse_model, kind.target)
    if kind.name == "family":
        assert kind.target is not None
        return _parse_optional(_FAMILY_PARSERS[kind.target], kind.target)
    assert kind.item is not None
    return _tuple_parser(_not_null(_field_parser(kind.item)), kind.item.target)


_PARSERS: dict[type, Hook] = {}


def _parse_model(value: Any, cls: type) -> Any:
    """Parse with the function of ``cls``, made when the class is first met."""
    return (_PARSERS.get(cls) or _make_parser(cls))(value, cls)


_NO_NULLS: frozenset[str] = frozenset()


def _passthrough(value: Any, _type: Any) -> Any:
    return value


def _make_parser(cls: type) -> Hook:
    """Parse an object of exactly ``cls`` (the ``type`` key is checked, not dispatched on)."""
    fields = _fields(cls)
    overrides: dict[str, Any] = {
        "_wire": override(rename="\0wire", struct_hook=_passthrough),
        "extra": override(rename="\0extra", struct_hook=_passthrough),
    }
    if cls in _TYPE_FIELDS:
        overrides[_TYPE_FIELDS[cls]] = override(rename="\0type", struct_hook=_passthrough)
    for field in fields:
        hook = _passthrough if field.key == _FAILURE else _field_parser(field.kind)
        overrides[field.name] = override(rename=field.key, struct_hook=hook)
    build: Hook = make_dict_structure_fn(cls, converter, **overrides)
    known = frozenset(field.key for field in fields)
    spread = _FAILURE in known
    # An absent key is None (or empty), whatever the Python default: a parsed object says what the JSON
    # said. Fields whose default already is that need no entry; the others, and every parameter of a
    # hand-written __init__ (whose defaults may differ from the fields'), start as None.
    custom_init = "__attrs_init__" in vars(cls)
    template: dict[str, Any] = {
        field.key: None
        for field in fields
        if custom_init or not any(field.default is unset for unset in (None, (), EMPTY))
    }
    discriminated = _family(cls) is not None
    failure_parser = (_PARSERS.get(model.FailurePolicy) or _make_parser(model.FailurePolicy)) if spread else None

    def parse(data: Any, _type: Any) -> Any:
        if type(data) is not dict:
            _fail(f"expected an object, got {_describe(data)}")
        values = template.copy()
        extra: dict[str, Any] = {}
        nulls = []
        failure: dict[str, Any] | None = None
        for key, value in data.items():
            if key in known:
                if value is None:
                    nulls.append(key)
                else:
                    values[key] = value
            elif value is None:
                if (discriminated and key == "type") or (spread and key in _FAILURE_KEYS):
                    nulls.append(key)
                else:
                    extra[key] = None
            elif discriminated and key == "type":
                continue
            elif spread and key in _FAILURE_KEYS:
                if failure is None:
                    failure = {}
                failure[key] = value
            else:
                try:
                    extra[key] = freeze(value)
                except PipelineFormatError as error:
                    raise PipelineFormatError(child_path("$", key) + error.path[1:], error.message) from None
        if spread and failure is not None:
            values[_FAILURE] = failure_parser(failure, model.FailurePolicy)  # type: ignore[misc]
        if discriminated:
            kind = _discriminator(cls, data.get("type"))
            if cls is model.KubernetesObject:
                values["\0type"] = typing.cast(str, kind)[len(_KUBERNETES_PREFIX) :]
            elif cls in _TYPE_FIELDS:
                values["\0type"] = kind
        values["\0extra"] = FrozenDict._adopt(extra) if extra else EMPTY
        values["\0wire"] = WireRecord(tuple(data), frozenset(nulls) if nulls else _NO_NULLS)
        return build(values, cls)

    _PARSERS[cls] = parse
    return parse


def _discriminator(cls: type, kind: Any) -> str | None:
    """The ``type`` of a stage, trigger or artifact, checked for the class that parses it."""
    if kind is not None and type(kind) is not str:
        raise PipelineFormatError("$.type", f"expected a string, got {_describe(kind)}")
    if cls is model.GenericStage and kind is None:
        raise PipelineFormatError("$.type", 'a stage needs a type, such as "deployManifest" or "wait"')
    if cls is model.KubernetesObject and not (kind or "").startswith(_KUBERNETES_PREFIX):
        raise PipelineFormatError("$.type", f"a KubernetesObject's type is 'kubernetes/<kind>', got {kind!r}")
    if cls not in _TYPE_FIELDS and kind != cls.TYPE:  # type: ignore[attr-defined]
        generic = _FAMILIES[typing.cast(type, _family(cls))]
        raise PipelineFormatError(
            "$.type",
            f"{cls.__name__} parses type {cls.TYPE!r}, got {kind!r}; parse the whole pipeline, "  # type: ignore[attr-defined]
            f"or use {generic.__name__}.from_dict for any type",
        )
    return kind


def _typed_classes(base: type) -> dict[str, type]:
    found: dict[str, type] = {}
    pending: list[type] = [base]
    while pending:
        subclasses: list[type] = pending.pop().__subclasses__()
        for sub in subclasses:
            pending.append(sub)
            if "TYPE" in vars(sub):
                found[vars(sub)["TYPE"]] = sub
    return found


def _family_parser(base: type) -> Hook:
    by_type: dict[str, type] = {}
    generic = _FAMILIES[base]

    def parse_family(data: Any, _type: Any) -> Any:
        if type(data) is not dict:
            _fail(f"expected an object, got {_describe(data)}")
        if not by_type:
            by_type.update(_typed_classes(base))
        kind = data.get("type")
        cls = by_type.get(kind) if type(kind) is str else None
        if cls is None and base is _ArtifactFields and type(kind) is str and kind.startswith(_KUBERNETES_PREFIX):
            cls = model.KubernetesObject
        cls = cls or generic  # the generic class refuses a type that is missing (stages) or not a string
        parse = _PARSERS.get(cls) or _make_parser(cls)
        return parse(data, cls)

    return parse_family


_FAMILY_PARSERS: dict[type, Hook] = {base: _family_parser(base) for base in _FAMILIES}


def _is_model_class(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, SpinnakerObject) and cls is not SpinnakerObject


def _family_of_union(annotation: Any) -> type | None:
    if typing.get_origin(annotation) not in (Union, types.UnionType):
        return None
    try:
        kind = _kind_of(annotation)
    except TypeError:
        return None
    return kind.target if kind.name == "family" else None


def _structure_hook_for(cls: type) -> Hook:
    if cls in _FAMILIES:
        return _FAMILY_PARSERS[cls]
    return _PARSERS.get(cls) or _make_parser(cls)


converter.register_unstructure_hook_factory(_is_model_class, lambda cls: _RENDERERS.get(cls) or _make_renderer(cls))
converter.register_structure_hook_factory(_is_model_class, _structure_hook_for)
converter.register_structure_hook_factory(
    lambda annotation: _family_of_union(annotation) is not None,
    lambda annotation: _FAMILY_PARSERS[typing.cast(type, _family_of_union(annotation))],
)


# ---------------------------------------------------------------------------------------------------
# Errors in wire names


def _format_error(error: BaseException, path: str = "$") -> PipelineFormatError:
    """The first failure inside a cattrs validation error, as a PipelineFormatError with its JSON path."""
    while True:
        if isinstance(error, PipelineFormatError):
            return PipelineFormatError(path + error.path[1:], error.message)
        if isinstance(error, (ClassValidationError, IterableValidationError)):
            inner = error.exceptions[0]
            for note in getattr(inner, "__notes__", ()):
                if isinstance(note, AttributeValidationNote) and isinstance(error, ClassValidationError):
                    path = child_path(path, wire_path(error.cl, note.name))
                elif isinstance(note, IterableValidationNote):
                    path = f"{path}[{note.index}]"
            error = inner
            continue
        return PipelineFormatError(path, str(error) or type(error).__name__)


# ---------------------------------------------------------------------------------------------------
# Public entry points


def unstructure(obj: Any) -> dict[str, Any]:
    """Render a model object as a JSON-ready dict."""
    render = _RENDERERS.get(obj.__class__)
    if render is None:
        if not _is_model_class(obj.__class__):
            raise TypeError(f"{type(obj).__name__} is not a spinpromote model class")
        render = _make_renderer(obj.__class__)
    return render(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Parse a JSON value into ``cls``; malformed structure raises PipelineFormatError with its path.

    A document read by `loads` whose keys were given twice keeps that record (see `duplicate_keys`).
    """
    if type(data) is not _ReadDocument:
        _check_depth(data)  # `loads` checked its documents already
    return _structure(data, cls)


def _structure(data: Any, cls: type[T]) -> T:
    given_twice: tuple[str, ...] = ()
    if type(data) is _ReadDocument:
        given_twice, data = data.given_twice, dict(data)
    try:
        result: T = converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, PipelineFormatError) as error:
        raise _format_error(error) from None
    if given_twice:
        record = getattr(result, "_wire", None) or WireRecord()
        result = attrs.evolve(result, _wire=record._replace(duplicates=given_twice))  # type: ignore[misc]
    return result


def parse_json(text: str | bytes, cls: type[T]) -> T:
    """Read JSON text into ``cls``; keys given twice are recorded on the result (see `duplicate_keys`)."""
    return _structure(loads(text), cls)


def duplicate_keys(obj: Any) -> tuple[str, ...]:
    """JSON paths of the keys that the document ``obj`` was read from gave twice (the last one was kept)."""
    record = getattr(obj, "_wire", None)
    return record.duplicates if record is not None else ()


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text, byte-stable: the same value gives the same text in any process."""
    try:
        if indent is None:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:
        found = _find(value, lambda item: type(item) is float and not math.isfinite(item))
        if found is None:
            raise
        raise PipelineFormatError(
            found[0], "not a JSON number (infinite or NaN): use a finite number or a string"
        ) from None


def loads(text: str | bytes) -> Any:
    """Read JSON text; anything that is not JSON raises PipelineFormatError.

    The document (or each document of a list) in which a key is given twice is a dict that remembers the
    paths of those keys, so that the pipeline parsed from it can warn about them.
    """
    document, duplicates = _read(text)
    if not duplicates:
        return document
    if type(document) is dict:
        return _ReadDocument(document, tuple(duplicates))
    if type(document) is list:
        documents = []
        for index, item in enumerate(document):
            prefix = f"$[{index}]"
            inside = tuple(
                "$" + path[len(prefix) :] for path in duplicates if path.startswith((prefix + ".", prefix + "["))
            )
            documents.append(_ReadDocument(item, inside) if inside and type(item) is dict else item)
        return documents
    return document


class _ReadDocument(dict[str, Any]):
    """A document read from text, with the JSON paths of the keys it gave twice."""

    def __init__(self, document: dict[str, Any], given_twice: tuple[str, ...]) -> None:
        super().__init__(document)
        self.given_twice = given_twice


class _Duplicated(dict[str, Any]):
    """An object in which some key was given twice; ``keys_given_twice`` says which."""

    keys_given_twice: list[str]


class _NotFinite:
    def __init__(self, text: str) -> None:
        self.text = text


def _read(text: str | bytes) -> tuple[Any, list[str]]:
    """The document, and the JSON paths of keys given twice in it."""
    found = {"duplicates": False, "not_finite": False}

    def object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # The last value of a key given twice wins, as in Jackson's default (STRICT_DUPLICATE_DETECTION off),
        # with which front50 and orca read pipelines.
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        found["duplicates"] = True
        duplicated = _Duplicated(result)
        duplicated.keys_given_twice = []
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                duplicated.keys_given_twice.append(key)
            seen.add(key)
        return duplicated

    def number(text: str) -> Any:
        value = float(text)
        if math.isfinite(value):
            return value
        found["not_finite"] = True
        return _NotFinite(text)

    def constant(name: str) -> Any:
        found["not_finite"] = True
        return _NotFinite(name)

    try:
        document = json.loads(text, object_pairs_hook=object_from_pairs, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise PipelineFormatError(
            "$", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except UnicodeDecodeError as error:
        raise PipelineFormatError("$", f"not UTF-8 text: {error.reason}") from None
    except RecursionError:
        raise PipelineFormatError("$", f"nested deeper than {MAX_DEPTH} levels: flatten the document") from None
    except ValueError as error:  # for example a number with more digits than Python converts
        raise PipelineFormatError("$", f"not valid JSON: {error}") from None
    _check_depth(document)
    if found["not_finite"]:
        path, bad = typing.cast("tuple[str, Any]", _find(document, lambda item: isinstance(item, _NotFinite)))
        raise PipelineFormatError(
            path, f"{bad.text} is not a finite number, which Spinnaker cannot store: use a number or a string"
        )
    duplicates: list[str] = []
    if found["duplicates"]:
        document = _plain(document, "$", duplicates)
    return document, duplicates


def _plain(value: Any, path: str, duplicates: list[str]) -> Any:
    """The document with every object a plain dict, noting the paths of keys given twice."""
    if isinstance(value, dict):
        if isinstance(value, _Duplicated):
            duplicates.extend(child_path(path, key) for key in value.keys_given_twice)
        return {key: _plain(item, child_path(path, key), duplicates) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, f"{path}[{index}]", duplicates) for index, item in enumerate(value)]
    return value


def _find(
    value: Any, wanted: Callable[[Any], bool], path: str = "$", *, too_deep: bool = False, depth: int = 1
) -> tuple[str, Any] | None:
    """The JSON path of the first value ``wanted`` accepts (or, ``too_deep``, nested too deep), and that value."""
    if wanted(value) or (too_deep and depth > MAX_DEPTH):
        return path, value
    if isinstance(value, dict):
        items: Any = ((child_path(path, key), item) for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for item_path, item in items:
        found = _find(item, wanted, item_path, too_deep=too_deep, depth=depth + 1)
        if found is not None:
            return found
    return None


def _check_depth(document: Any) -> None:
    """Refuse a document nested deeper than `MAX_DEPTH` objects and lists, naming where."""
    if type(document) in (dict, list) and _deeper_than_allowed(document, 1):
        found = _find(document, lambda item: False, too_deep=True)
        path = found[0] if found else "$"
        raise PipelineFormatError(path, f"nested deeper than {MAX_DEPTH} levels of objects and lists: flatten it")


def _deeper_than_allowed(container: Any, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return True
    for item in container.values() if type(container) is dict else container:
        cls = type(item)
        if (cls is dict or cls is list) and _deeper_than_allowed(item, depth + 1):
            return True
    return False
