"""What every model class shares: JSON in and out through the codec, and converters for fields."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from typing_extensions import Self

if TYPE_CHECKING:
    from spinpromote.validate import Problem

__all__ = [
    "JSON",
    "Drawable",
    "JsonObject",
    "SpinnakerObject",
    "WireRecord",
    "to_ms",
    "to_str_tuple",
    "to_tuple",
]

JSON = Any
"""Any JSON value: dict, list, str, int, float, bool or None."""

JsonObject = Mapping[str, Any]


class WireRecord(NamedTuple):
    """What the codec saw when it parsed an object, so that rendering it gives back the same JSON text.

    ``keys``: the object's keys in input order; ``nulls``: the keys that were an explicit ``null``;
    ``duplicates``: JSON paths of keys given twice in the document (on the root object only). The codec
    makes it and `attrs.evolve` carries it over to an edited copy; code written by `spinpromote import`
    passes it, as a dict, only where a new object would render differently from the imported JSON.
    """

    keys: tuple[str, ...] = ()
    nulls: frozenset[str] = frozenset()
    duplicates: tuple[str, ...] = ()


def _to_record(value: WireRecord | Mapping[str, Any] | None) -> WireRecord | None:
    """Accept the record as code written by `spinpromote import` spells it: ``{"keys": [...], "nulls": [...]}``."""
    if value is None or type(value) is WireRecord:
        return value
    if isinstance(value, Mapping):
        return WireRecord(keys=tuple(value.get("keys", ())), nulls=frozenset(value.get("nulls", ())))
    raise TypeError(f"_wire is the codec's record, not {type(value).__name__}")


_COMPARED: dict[type, Callable[[Any], Any]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> Callable[[Any], Any]:
    """Reads the values that equality and hashing compare: every field but the codec's record."""
    values = _COMPARED.get(cls)
    if values is None:
        names = [field.name for field in attrs.fields(cls) if field.eq]
        values = _COMPARED[cls] = operator.attrgetter(*names) if names else lambda _: ()
    return values


def _shown(cls: type) -> tuple[str, ...]:
    names = _SHOWN.get(cls)
    if names is None:
        names = _SHOWN[cls] = tuple(field.name for field in attrs.fields(cls) if field.repr)
    return names


@attrs.frozen(kw_only=True, eq=False, repr=False)
class SpinnakerObject:
    """Base of the model classes: render to Spinnaker JSON and parse back.

    The model only names the codec; the codec owns all knowledge of the wire format. ``_wire`` is the
    codec's private record of a parsed object's key order and explicit nulls. It takes no part in equality,
    hashing or ``repr``: two objects with the same values are equal however their JSON was laid out.

    Model classes are declared ``@attrs.frozen(kw_only=True, eq=False, repr=False)`` and inherit equality,
    hashing and ``repr`` from here: attrs compiles the methods it generates when a class is created, and for
    every model class that was most of the cost of the first ``import`` (about 50 ms of 90).
    """

    _wire: WireRecord | None = attrs.field(default=None, alias="_wire", repr=False, eq=False, converter=_to_record)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = _compared(self.__class__)
        result: bool = values(self) == values(other)
        return result

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.__class__, _compared(self.__class__)(self)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _shown(self.__class__))
        return f"{self.__class__.__qualname__}({shown})"

    def to_dict(self) -> dict[str, Any]:
        """Render as a JSON-ready dict, exactly as Spinnaker stores it."""
        from spinpromote.codec import unstructure

        return unstructure(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Render as JSON text; the same object gives the same text in any process."""
        from spinpromote.codec import dumps

        return dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse Spinnaker JSON, keeping every key; raise PipelineFormatError with a JSON path if malformed."""
        from spinpromote.codec import structure

        return structure(data, cls)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse JSON text; see `from_dict`."""
        from spinpromote.codec import parse_json

        return parse_json(text, cls)


class Validatable:
    """Mixin for objects that Spinnaker checks only at run time."""

    __slots__ = ()

    def validate(self) -> list[Problem]:
        """Return every problem found (errors and warnings), each with a JSON path."""
        raise NotImplementedError

    def check(self) -> Self:
        """Raise ValidationError listing every error; return self when there is none."""
        from spinpromote.errors import ValidationError

        errors = [problem for problem in self.validate() if problem.severity == "error"]
        if errors:
            raise ValidationError(errors)
        return self


class Drawable:
    """Mixin for things drawn as a diagram: Mermaid, DOT, SVG, and a rich display in notebooks."""

    __slots__ = ()

    def _drawn_pipelines(self) -> list[Any]:
        raise NotImplementedError

    def to_mermaid(self) -> str:
        """A Mermaid flowchart of the pipelines, their stages, triggers and artifact hand-offs."""
        from spinpromote.diagram import diagram

        return diagram(self._drawn_pipelines()).to_mermaid()

    def to_dot(self) -> str:
        """The same diagram as Graphviz DOT."""
        from spinpromote.diagram import diagram

        return diagram(self._drawn_pipelines()).to_dot()

    def to_svg(self) -> str:
        """The same diagram as an SVG image, drawn without Graphviz."""
        from spinpromote.diagram import diagram

        return diagram(self._drawn_pipelines()).to_svg()

    def _repr_html_(self) -> str:
        from spinpromote._html import pipelines_html

        return pipelines_html(self._drawn_pipelines())


def to_tuple(value: Iterable[Any] | None) -> tuple[Any, ...]:
    """Store any iterable as a tuple so models stay immutable; None is the empty tuple."""
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"expected a list, got {type(value).__name__}: {value!r}")
    return tuple(value)


def to_str_tuple(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """Like `to_tuple`, but a single string is taken as a one-item list."""
    if isinstance(value, str):
        return (value,)
    return to_tuple(value)


def to_ms(value: int | str | timedelta | None) -> int | str | None:
    """Durations are stored in milliseconds; a timedelta is converted, SpEL strings pass through."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() * 1000)
    return value
