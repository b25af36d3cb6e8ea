"""Which expected artifacts of a pipeline a manual run's artifacts bind to.

orca binds an expected artifact at the start of a run only when its id is listed in the trigger's
``expectedArtifactIds`` (or it uses its default or prior artifact): orca ArtifactUtils.java:204-218. Deck's
manual run copies the ids from the pipeline's configured trigger; a client that sends only ``artifacts``
leaves every other expected artifact unbound ("No artifact with id X could be found").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["artifact_matches", "expected_artifact_ids"]

_MATCHED_FIELDS = ("type", "name", "version", "location", "reference")


def _field_matches(expected: Any, incoming: Any) -> bool:
    if expected in (None, ""):
        return True  # an empty expected value is a wildcard
    if incoming is None:
        return False
    if expected == incoming:
        return True
    try:
        return re.fullmatch(str(expected), str(incoming)) is not None
    except re.error:
        return False


def artifact_matches(match_artifact: Mapping[str, Any], artifact: Mapping[str, Any]) -> bool:
    """kork's ``ExpectedArtifact.matches`` (ExpectedArtifact.java:74-148): each of type, name, version,
    location and reference is empty in the expected artifact, equal, or a regex that matches in full.

    ```pycon
    >>> expected = {"type": "docker/image", "name": "acme/.*"}
    >>> artifact_matches(expected, {"type": "docker/image", "name": "acme/app", "version": "v2"})
    True

    ```
    """
    return all(_field_matches(match_artifact.get(key), artifact.get(key)) for key in _MATCHED_FIELDS)


def expected_artifact_ids(config: Mapping[str, Any], artifacts: Iterable[Mapping[str, Any]]) -> list[str]:
    """Ids of the pipeline's expected artifacts that one of ``artifacts`` matches, in the pipeline's order.

    ```pycon
    >>> config = {"expectedArtifacts": [{"id": "ea-1", "matchArtifact": {"type": "docker/image", "name": "acme/app"}}]}
    >>> expected_artifact_ids(config, [{"type": "docker/image", "name": "acme/app", "version": "v2"}])
    ['ea-1']

    ```
    """
    supplied = list(artifacts)
    result: list[str] = []
    for expected in config.get("expectedArtifacts") or []:
        if not isinstance(expected, Mapping) or not isinstance(expected.get("id"), str):
            continue
        match = expected.get("matchArtifact")
        if isinstance(match, Mapping) and any(artifact_matches(match, artifact) for artifact in supplied):
            result.append(expected["id"])
    return result
