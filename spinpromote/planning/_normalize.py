"""Pipeline JSON as the planner compares it: what the server owns removed, nulls dropped, ids rewritten.

All functions take and return plain JSON dicts and never change their input.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from spinpromote._references import PIPELINE_REFERENCE_STAGE_TYPES

__all__ = [
    "OWNERSHIP_KEY",
    "SERVER_OWNED_KEYS",
    "authored",
    "canonical",
    "comparable",
    "drop_nulls",
    "fingerprint",
    "name_key",
    "owner_of",
    "pipeline_references",
    "rewrite_references",
    "strip_server_fields",
]

OWNERSHIP_KEY = "spinpromote"
"""Top-level key that marks a pipeline as written by spinpromote: ``{"owner": "<owner>"}``.

front50 keeps top-level keys it does not model (``@JsonAnySetter`` on its Pipeline), and Deck re-posts the
whole document on a UI save, so the marker survives both.
"""

SERVER_OWNED_KEYS = ("updateTs", "lastModifiedBy", "lastModified", "createTs")
"""Set by front50 on every save; never part of what the user wants."""

# Keys also ignored when comparing: front50 renumbers ``index`` when listing and orca copies the stored
# index into saves without one; front50's Pipeline.getSchema() emits "1" when the field is absent.
_IGNORED_WHEN_COMPARING = (*SERVER_OWNED_KEYS, "index")

# orca's managed service accounts rewrite trigger.runAsUser to "<pipeline id>@managed-service-account"
# (or the shared variant) on every save (orca-front50 SaveServiceAccountTask / SavePipelineTask).
_MANAGED_ACCOUNT_SUFFIXES = ("@managed-service-account", "@shared-managed-service-account")

# Where pipeline ids appear inside other pipelines.


def name_key(application: str, name: str) -> tuple[str, str]:
    """How front50 and Gate tell pipelines apart: application and trimmed name, ignoring case.

    ```pycon
    >>> name_key("Demo", "  Deploy to Staging ")
    ('demo', 'deploy to staging')

    ```
    """
    return application.strip().lower(), name.strip().lower()


def drop_nulls(value: Any) -> Any:
    """Remove null-valued keys at every depth; orca drops them on the way to front50.

    ```pycon
    >>> drop_nulls({"a": None, "b": [{"c": None, "d": 1}]})
    {'b': [{'d': 1}]}

    ```
    """
    if isinstance(value, Mapping):
        return {key: drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_nulls(item) for item in value]
    return value


def strip_server_fields(pipeline: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy without the fields front50 sets on save (updateTs, lastModifiedBy, ...).

    ```pycon
    >>> strip_server_fields({"name": "Deploy", "updateTs": "1700000000000", "lastModifiedBy": "alice"})
    {'name': 'Deploy'}

    ```
    """
    return {key: copy.deepcopy(value) for key, value in pipeline.items() if key not in SERVER_OWNED_KEYS}


def authored(pipeline: Mapping[str, Any]) -> dict[str, Any]:
    """A live pipeline as its author wrote it: without what front50 and apply add on their own.

    Drops the server-owned fields, the listing's ``index``, a default ``schema`` of "1" and the
    spinpromote ownership marker; everything else is kept as it is (a shallow copy).

    ```pycon
    >>> authored({"name": "Deploy", "index": 0, "schema": "1", "updateTs": "1", "spinpromote": {"owner": "a"}})
    {'name': 'Deploy'}

    ```
    """
    dropped = {*SERVER_OWNED_KEYS, OWNERSHIP_KEY, "index"}
    return {k: v for k, v in pipeline.items() if k not in dropped and not (k == "schema" and v == "1")}


def owner_of(pipeline: Mapping[str, Any]) -> str | None:
    """The spinpromote owner recorded in a pipeline, or None when spinpromote did not write it.

    ```pycon
    >>> owner_of({"spinpromote": {"owner": "team-a"}})
    'team-a'
    >>> owner_of({"name": "made in the UI"}) is None
    True

    ```
    """
    marker = pipeline.get(OWNERSHIP_KEY)
    if isinstance(marker, Mapping) and isinstance(marker.get("owner"), str):
        return str(marker["owner"])
    return None


def comparable(pipeline: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a pipeline that the user owns, in a form where equal means "no change".

    Drops server-owned fields, ``index``, a default ``schema`` of "1", nulls, cron trigger ids (generated
    by front50) and managed-service-account ``runAsUser`` values (rewritten by orca).

    ```pycon
    >>> comparable({"name": "Deploy", "index": 2, "schema": "1", "description": None})
    {'name': 'Deploy'}

    ```
    """
    result: dict[str, Any] = drop_nulls({k: v for k, v in pipeline.items() if k not in _IGNORED_WHEN_COMPARING})
    if result.get("schema") == "1":
        del result["schema"]
    triggers = result.get("triggers")
    if isinstance(triggers, list):
        result["triggers"] = [_comparable_trigger(trigger) for trigger in triggers]
    return result


def _comparable_trigger(trigger: Any) -> Any:
    if not isinstance(trigger, dict):
        return trigger
    trigger = dict(trigger)
    if str(trigger.get("type", "")).lower() == "cron":
        trigger.pop("id", None)
    run_as = trigger.get("runAsUser")
    if isinstance(run_as, str) and run_as.endswith(_MANAGED_ACCOUNT_SUFFIXES):
        del trigger["runAsUser"]
    return trigger


def canonical(value: Any) -> str:
    """JSON text with sorted keys: two values are equal as JSON exactly when these strings are equal.

    Comparing text rather than Python values keeps ``true`` and ``1`` apart.

    ```pycon
    >>> canonical({"b": True, "a": 1}) == canonical({"a": 1, "b": 1})
    False

    ```
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(pipeline: Mapping[str, Any]) -> str:
    """A digest of what the user owns in a pipeline (`comparable`): equal digests, no change worth noticing.

    ```pycon
    >>> fingerprint({"name": "Deploy", "updateTs": "1"}) == fingerprint({"name": "Deploy", "updateTs": "2"})
    True

    ```
    """
    return hashlib.sha256(canonical(comparable(pipeline)).encode("utf-8", "surrogatepass")).hexdigest()


def _reference_holders(pipeline: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The trigger and stage objects whose ``pipeline`` key holds another pipeline's id."""
    holders: list[dict[str, Any]] = []
    for trigger in pipeline.get("triggers") or []:
        if isinstance(trigger, dict) and trigger.get("type") == "pipeline":
            holders.append(trigger)
    for stage in pipeline.get("stages") or []:
        if isinstance(stage, dict) and stage.get("type") in PIPELINE_REFERENCE_STAGE_TYPES:
            holders.append(stage)
    return holders


def pipeline_references(pipeline: Mapping[str, Any]) -> set[str]:
    """Ids of the pipelines this one refers to (pipeline triggers, pipeline and find-artifact stages).

    ```pycon
    >>> sorted(pipeline_references({"triggers": [{"type": "pipeline", "pipeline": "up"}], "stages": []}))
    ['up']

    ```
    """
    return {holder["pipeline"] for holder in _reference_holders(pipeline) if isinstance(holder.get("pipeline"), str)}


def rewrite_references(pipeline: Mapping[str, Any], id_map: Mapping[str, str]) -> dict[str, Any]:
    """A deep copy with every reference to a pipeline id in ``id_map`` replaced by the mapped id.

    ```pycon
    >>> rewrite_references({"triggers": [{"type": "pipeline", "pipeline": "a"}]}, {"a": "b"})["triggers"]
    [{'type': 'pipeline', 'pipeline': 'b'}]

    ```
    """
    result = copy.deepcopy(dict(pipeline))
    for holder in _reference_holders(result):
        target = holder.get("pipeline")
        if isinstance(target, str) and target in id_map:
            holder["pipeline"] = id_map[target]
    return result
