"""What every model class shares: JSON in and out through the codec, and converters for fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

if TYPE_CHECKING:
    from spinpromote.validate import Problem

__all__ = ["JSON", "Drawable", "JsonObject", "SpinnakerObject", "to_ms", "to_str_tuple", "to_tuple"]

JSON = Any
"""Any JSON value: dict, list, str, int, float, bool or None."""

JsonObject = Mapping[str, Any]


class SpinnakerObject:
    """Mixin for model classes: render to Spinnaker JSON and parse back.

    The model only names the codec; the codec owns all knowledge of the wire format.
    """

    __slots__ = ()

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
        from spinpromote.codec import loads

        return cls.from_dict(loads(text))


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


def to_tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    """Store any iterable as a tuple so models stay immutable; None stays None (absent)."""
    if value is None or isinstance(value, tuple):
        return value
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"expected a list, got {type(value).__name__}: {value!r}")
    return tuple(value)


def to_str_tuple(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    """Like `to_tuple`, but a single string is taken as a one-item list."""
    if isinstance(value, str):
        return (value,)
    return to_tuple(value)


def to_ms(value: int | str | timedelta | None) -> int | str | None:
    """Durations are stored in milliseconds; a timedelta is converted, SpEL strings pass through."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() * 1000)
    return value
