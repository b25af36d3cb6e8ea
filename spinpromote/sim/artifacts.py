"""kork's artifact rules over wire-format dicts: equality and Java's ``toString`` for messages (matching is
`spinpromote._artifact_match`, shared with the client)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["artifact_key", "describe_artifact", "describe_expected", "union"]

Json = dict[str, Any]

# Equality treats a missing or null string field as "". Current kork's Artifact keeps nulls (its constructor
# copies the fields as given, and JSON omits nulls: @JsonInclude NON_NULL), so there null and "" differ. Not
# modelled: two artifacts that differ only so count as one here.
_STRING_FIELDS = ("type", "name", "version", "location", "reference", "artifactAccount", "provenance", "uuid")


# Artifacts travel down a chain as the same dict objects and are never changed once made, so their keys are
# remembered by identity (holding the object keeps its id from being reused); bounded, so memory stays flat.
_KEYS: dict[int, tuple[Mapping[str, Any], str]] = {}
_KEYS_LIMIT = 50_000


def artifact_key(artifact: Mapping[str, Any]) -> str:
    """Equality as kork's ``Artifact.equals``: every field, metadata and account included (Artifact.java:41).

    ```pycon
    >>> artifact_key({"type": "a", "name": "n"}) == artifact_key({"name": "n", "type": "a", "version": None})
    True

    ```
    """
    cached = _KEYS.get(id(artifact))
    if cached is not None and cached[0] is artifact:
        return cached[1]
    normal = {field: artifact.get(field) or "" for field in _STRING_FIELDS}
    normal["customKind"] = bool(artifact.get("customKind"))
    metadata = dict(artifact.get("metadata") or {})
    # Unknown JSON keys land in metadata (Artifact.java, ArtifactBuilder.putMetadata).
    for key, value in artifact.items():
        if key not in _STRING_FIELDS and key not in ("customKind", "metadata", "kind"):
            metadata[key] = value
    normal["metadata"] = metadata
    key = json.dumps(normal, sort_keys=True, default=str)
    if len(_KEYS) >= _KEYS_LIMIT:
        _KEYS.clear()
    _KEYS[id(artifact)] = (artifact, key)
    return key


def union(*groups: Iterable[Json]) -> list[Json]:
    """The artifacts of every group in order, each one once (kork equality), as orca's sets keep them.

    ```pycon
    >>> len(union([{"type": "a", "name": "n"}], [{"type": "a", "name": "n", "version": ""}]))
    1

    ```
    """
    seen: set[str] = set()
    result: list[Json] = []
    for group in groups:
        for artifact in group:
            key = artifact_key(artifact)
            if key not in seen:
                seen.add(key)
                result.append(artifact)
    return result


def _java(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={_java(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java(item) for item in value) + "]"
    return str(value)


def describe_artifact(artifact: Mapping[str, Any] | None) -> str:
    """An artifact as Lombok's ``toString`` prints it in orca's messages (kork Artifact.java, ``@ToString``).

    ```pycon
    >>> print(describe_artifact({"type": "github/file", "name": "app.yml", "version": "abc"}))
    Artifact(type=github/file, customKind=false, name=app.yml, version=abc, location=, reference=, metadata={}, ...)

    ```
    """
    if artifact is None:
        return "null"
    metadata = {
        key: value
        for key, value in artifact.items()
        if key not in _STRING_FIELDS and key not in ("customKind", "metadata", "kind")
    }
    metadata = {**(artifact.get("metadata") or {}), **metadata}
    parts = [f"type={artifact.get('type') or ''}", f"customKind={_java(bool(artifact.get('customKind')))}"]
    parts += [f"{field}={artifact.get(field) or ''}" for field in ("name", "version", "location", "reference")]
    parts.append(f"metadata={_java(metadata)}")
    parts += [f"{field}={artifact.get(field) or ''}" for field in ("artifactAccount", "provenance", "uuid")]
    return "Artifact(" + ", ".join(parts) + ")"


def describe_expected(expected: Mapping[str, Any]) -> str:
    """An expected artifact as orca's messages print it (kork ExpectedArtifact.java, Lombok ``toString``).

    ```pycon
    >>> describe_expected({"id": "m", "matchArtifact": {"type": "github/file"}})[:46]
    'ExpectedArtifact(matchArtifact=Artifact(type=g'

    ```
    """
    return (
        f"ExpectedArtifact(matchArtifact={describe_artifact(expected.get('matchArtifact'))}, "
        f"usePriorArtifact={_java(bool(expected.get('usePriorArtifact')))}, "
        f"useDefaultArtifact={_java(bool(expected.get('useDefaultArtifact')))}, "
        f"defaultArtifact={describe_artifact(expected.get('defaultArtifact'))}, "
        f"id={expected.get('id')}, boundArtifact={describe_artifact(expected.get('boundArtifact'))})"
    )
