"""Which expected artifacts of a pipeline a manual run's artifacts bind to.

orca binds an expected artifact at the start of a run only when its id is listed in the trigger's
``expectedArtifactIds`` (or it uses its default or prior artifact): orca ArtifactUtils.java:204-218. Deck's
manual run copies the ids from the pipeline's configured trigger; a client that sends only ``artifacts``
leaves every other expected artifact unbound ("No artifact with id X could be found").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from spinpromote._artifact_match import InvalidPattern, artifact_matches

__all__ = ["expected_artifact_ids"]


def _listed(match: Mapping[str, Any], artifacts: list[Mapping[str, Any]]) -> bool:
    try:
        return any(artifact_matches(match, artifact) for artifact in artifacts)
    except InvalidPattern:
        # Python cannot read the regex; Java may (their dialects differ). Listing the id lets orca decide with
        # its own regex: a pattern Java refuses too fails the run at start with orca's message.
        return True


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
        if isinstance(match, Mapping) and _listed(match, supplied):
            result.append(expected["id"])
    return result
