"""Deterministic ids: the same names give the same ids in every process and on every machine.

A pipeline trigger must name its upstream pipeline by id before either pipeline is saved, so spinpromote
derives ids from what the user named (UUID version 5) instead of letting front50 pick random ones.
"""

from __future__ import annotations

import uuid

__all__ = ["expected_artifact_id", "pipeline_id"]

# A fixed namespace for spinpromote's UUIDv5 ids. Changing it would change every derived id.
_NAMESPACE = uuid.UUID("5b0c7f4e-3f55-5a8f-9d7e-2a1f4e8c6b13")


def pipeline_id(application: str, name: str) -> str:
    """The id of a pipeline, from its application and name (trimmed and case-folded, as front50 compares them).

    ```pycon
    >>> pipeline_id("demo", "Deploy to Staging") == pipeline_id("DEMO", " deploy to staging ")
    True

    ```
    """
    return str(uuid.uuid5(_NAMESPACE, f"pipeline\x00{application.strip().lower()}\x00{name.strip().lower()}"))


def expected_artifact_id(application: str, display_name: str) -> str:
    """The id of an expected artifact, from its application and display name.

    ```pycon
    >>> expected_artifact_id("demo", "manifest") == expected_artifact_id("DEMO", "manifest")
    True

    ```
    """
    return str(uuid.uuid5(_NAMESPACE, f"expected-artifact\x00{application.strip().lower()}\x00{display_name}"))
