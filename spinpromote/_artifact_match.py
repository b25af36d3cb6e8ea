"""kork's ``ExpectedArtifact.matches`` over wire-format dicts: the one implementation the client and the
simulator share (no HTTP, no simulator).

kork ``kork-artifacts/.../artifacts/model/ExpectedArtifact.java`` (spinnaker/spinnaker monorepo), runtime.md
2.4: ``type``, ``name``, ``version``, ``location`` and ``reference`` are compared in that order. An empty expected
value is a wildcard; a null incoming value does not match (``Artifact`` keeps nulls: its constructor copies
the fields as given); otherwise the values match when they are equal or the expected value, as a regex, matches
the whole incoming value. ``embedded/base64`` and ``remote/base64`` are one type. ``artifactAccount``,
``metadata``, ``provenance`` and ``uuid`` are not compared. A missing ``matchArtifact`` matches everything.

An invalid regex throws in Java (``Pattern.compile``) unless the two strings are equal; here it raises
`InvalidPattern`. Python's ``re`` stands in for ``java.util.regex``: the common syntax agrees, but some
patterns compile in one and not the other (``\\p{Alpha}``, ``\\Q...\\E`` are Java only; possessive ``a*+``
needs Python 3.11) or match differently, so a caller that turns `InvalidPattern` into a failure should say
that Java may differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["InvalidPattern", "artifact_matches"]

_MATCHED_FIELDS = ("type", "name", "version", "location", "reference")
_BASE64_TYPES = frozenset({"embedded/base64", "remote/base64"})


class InvalidPattern(ValueError):
    """An expected artifact's field is not a valid regex (Python's dialect) and not equal to the incoming value."""

    def __init__(self, field: str, pattern: str, reason: str) -> None:
        super().__init__(f"matchArtifact.{field} {pattern!r} is not a valid regex: {reason}")
        self.field = field
        self.pattern = pattern


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str] | re.error:
    try:
        return re.compile(pattern)
    except re.error as error:
        return error


def _matches(field: str, expected: Any, incoming: Any) -> bool:
    if expected is None or expected == "":
        return True  # StringUtils.isEmpty(us)
    if incoming is None:
        return False
    expected, incoming = str(expected), str(incoming)
    if expected == incoming:  # checked first: a base64 reference is rarely a valid regex of itself
        return True
    compiled = _compiled(expected)
    if isinstance(compiled, re.error):
        raise InvalidPattern(field, expected, str(compiled))
    return compiled.fullmatch(incoming) is not None


def artifact_matches(match_artifact: Mapping[str, Any] | None, artifact: Mapping[str, Any]) -> bool:
    """Whether an expected artifact's ``matchArtifact`` matches an artifact, as kork decides it.

    Raises `InvalidPattern` where Java's ``Pattern.compile`` would throw.

    ```pycon
    >>> image = {"type": "docker/image", "name": "gcr.io/acme/web"}
    >>> artifact_matches({"type": "docker/image", "name": "gcr.io/acme/.*"}, image)
    True
    >>> artifact_matches({"type": "docker/image", "version": ".*"}, {"type": "docker/image"})  # no version: null
    False
    >>> artifact_matches({"type": "embedded/base64"}, {"type": "remote/base64", "reference": "a2luZA=="})
    True

    ```
    """
    if match_artifact is None:
        return True
    for field in _MATCHED_FIELDS:
        expected, incoming = match_artifact.get(field), artifact.get(field)
        if field == "type" and expected in _BASE64_TYPES and incoming in _BASE64_TYPES:
            continue  # matchTypes: embedded/base64 and remote/base64 are one type
        if not _matches(field, expected, incoming):
            return False
    return True
