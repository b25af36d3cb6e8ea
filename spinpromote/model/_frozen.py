"""Read-only JSON values, so that frozen model objects are immutable all the way down and hashable.

A JSON object becomes a `FrozenDict` (a ``dict`` that refuses changes), a JSON list a ``tuple``; every value
is copied on the way in, so a caller's dict mutated later never changes a model object.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from spinpromote.errors import PipelineFormatError

__all__ = ["EMPTY", "MAX_DEPTH", "FrozenDict", "freeze", "freeze_mapping", "freeze_mappings", "thaw"]

MAX_DEPTH = 100
"""The deepest nesting of JSON objects and lists accepted, counted from the document root."""


class FrozenDict(dict[str, Any]):
    """A JSON object that cannot change: equal to the dict it was made from, and hashable.

    ```pycon
    >>> settings = FrozenDict({"replicas": 2, "ports": [80]})
    >>> settings == {"replicas": 2, "ports": (80,)}, hash(settings) == hash(FrozenDict(settings))
    (True, True)

    ```
    """

    __slots__ = ("_hash",)
    _hash: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, _frozen_items(dict(*args, **kwargs), 1))

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("model values are read-only: build a new object with attrs.evolve(obj, field=...)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:
            self._hash = hash(frozenset(self.items()))
            return self._hash

    @classmethod
    def _adopt(cls, frozen_items: dict[str, Any]) -> FrozenDict:
        """A FrozenDict of values that are frozen already (the codec's fast path)."""
        adopted = cls.__new__(cls)
        dict.update(adopted, frozen_items)
        return adopted

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


def _frozen_items(value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
    out = {}
    for key, item in value.items():
        if type(key) is not str:
            raise PipelineFormatError("$", f"object keys must be strings, got {key!r}")
        out[key] = freeze(item, depth)
    return out


def freeze(value: Any, depth: int = 0) -> Any:
    """A read-only deep copy of a JSON value; anything JSON cannot hold raises PipelineFormatError."""
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None or cls is FrozenDict:
        return value
    if cls is float:
        if not math.isfinite(value):
            raise PipelineFormatError("$", f"{value} is not a JSON number: use a finite number or a string")
        return value
    if depth >= MAX_DEPTH:
        raise PipelineFormatError("$", f"nested deeper than {MAX_DEPTH} levels: flatten the value")
    if cls is list or cls is tuple:
        return tuple([freeze(item, depth + 1) for item in value])
    if cls is dict or isinstance(value, Mapping):
        frozen = FrozenDict.__new__(FrozenDict)
        dict.update(frozen, _frozen_items(value, depth + 1))
        return frozen
    raise PipelineFormatError(
        "$", f"cannot hold {cls.__name__} value {value!r} in JSON: use dict, list, str, int, float, bool or None"
    )


EMPTY = FrozenDict()
"""The empty read-only mapping, shared: it cannot change."""


def freeze_mapping(value: Mapping[str, Any] | None) -> FrozenDict:
    """The attrs converter of mapping fields: None is empty, anything else a read-only copy."""
    if value is None:
        return EMPTY
    if type(value) is FrozenDict:
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {type(value).__name__}: {value!r}")
    frozen: FrozenDict = freeze(value)
    return frozen


def freeze_mappings(values: Iterable[Mapping[str, Any]] | None) -> tuple[FrozenDict, ...]:
    """The attrs converter of lists of JSON objects (such as inline manifests)."""
    if values is None:
        return ()
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"expected a list of objects, got {type(values).__name__}: {values!r}")
    return tuple(freeze_mapping(value) for value in values)


def thaw(value: Any) -> Any:
    """A plain, mutable deep copy (dict and list) of a frozen JSON value, for output."""
    cls = type(value)
    if cls is FrozenDict or cls is dict:
        return {key: thaw(item) for key, item in value.items()}
    if cls is tuple or cls is list:
        return [thaw(item) for item in value]
    return value
