"""orca's artifact rules over execution JSON: what a stage or a child pipeline sees, and how expected
artifacts are bound at start and inside stages.

Sources: orca ``orca-core/.../pipeline/util/ArtifactUtils.java`` (getAllArtifacts :96-120, getArtifacts
:78-94, getBoundArtifactForId :132-189, resolveArtifacts :204-298), ``ArtifactResolver.java:114-166``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from spinpromote._artifact_match import artifact_matches as matches
from spinpromote.sim.artifacts import describe_artifact, describe_expected, union

__all__ = [
    "ResolutionError",
    "all_artifacts",
    "ancestors",
    "bound_artifact",
    "resolve_at_start",
    "resolve_in_stage",
    "stage_artifacts",
    "topological",
]

Json = dict[str, Any]


class ResolutionError(Exception):
    """An expected artifact could not be bound; the message is orca's."""


def topological(stages: list[Json]) -> list[Json]:
    """Top-level stages in dependency order, declaration order among equals (StageExecutionImpl.java:61-89).

    ```pycon
    >>> [s["refId"] for s in topological([{"refId": "2", "requisiteStageRefIds": ["1"]}, {"refId": "1"}])]
    ['1', '2']

    ```
    """
    top = [stage for stage in stages if not stage.get("parentStageId")]
    done: set[str] = set()
    ordered: list[Json] = []
    pending = list(top)
    while pending:
        progressed = False
        for stage in list(pending):
            if all(
                ref in done or not any(s.get("refId") == ref for s in top)
                for ref in stage.get("requisiteStageRefIds") or []
            ):
                ordered.append(stage)
                done.add(str(stage.get("refId")))
                pending.remove(stage)
                progressed = True
        if not progressed:
            raise ResolutionError(f"Invalid stage relationships found {[s.get('refId') for s in pending]}")
    return ordered


def all_artifacts(execution: Mapping[str, Any]) -> list[Json]:
    """Every artifact an execution hands on: stage outputs, later stages first, then the trigger's (P2).

    ```pycon
    >>> execution = {"stages": [{"refId": "1", "outputs": {"artifacts": [{"type": "a"}]}}],
    ...              "trigger": {"artifacts": [{"type": "t"}]}}
    >>> [a["type"] for a in all_artifacts(execution)]
    ['a', 't']

    ```
    """
    stages = execution.get("stages") or []
    outputs: list[Json] = []
    for stage in reversed(topological(stages)):
        outputs += (stage.get("outputs") or {}).get("artifacts") or []
    return outputs + list((execution.get("trigger") or {}).get("artifacts") or [])


def ancestors(execution: Mapping[str, Any], stage: Mapping[str, Any]) -> list[Json]:
    """The stage, then every stage upstream of it, nearest first (StageExecutionImpl.java:401-411).

    ```pycon
    >>> one, two = {"refId": "1"}, {"refId": "2", "requisiteStageRefIds": ["1"]}
    >>> [s["refId"] for s in ancestors({"stages": [one, two]}, two)]
    ['2', '1']

    ```
    """
    by_ref = {s.get("refId"): s for s in execution.get("stages") or [] if not s.get("parentStageId")}
    result: list[Json] = [dict(stage) if not isinstance(stage, dict) else stage]
    seen = {id(stage)}
    queue = [stage]
    while queue:
        current = queue.pop(0)
        for ref in current.get("requisiteStageRefIds") or []:
            upstream = by_ref.get(ref)
            if upstream is not None and id(upstream) not in seen:
                seen.add(id(upstream))
                result.append(upstream)
                queue.append(upstream)
    return result


def stage_artifacts(execution: Mapping[str, Any], stage: Mapping[str, Any]) -> list[Json]:
    """What a stage sees: its own context's, its ancestors' outputs, then the trigger's (ArtifactUtils.java:78-94).

    ```pycon
    >>> stage = {"refId": "1", "context": {"artifacts": [{"type": "own"}]}}
    >>> [a["type"] for a in stage_artifacts({"stages": [stage], "trigger": {"artifacts": [{"type": "t"}]}}, stage)]
    ['own', 't']

    ```
    """
    found: list[Json] = list((stage.get("context") or {}).get("artifacts") or [])
    for ancestor in ancestors(execution, stage):
        found += (ancestor.get("outputs") or {}).get("artifacts") or []
    return union(found, (execution.get("trigger") or {}).get("artifacts") or [])


def bound_artifact(execution: Mapping[str, Any], stage: Mapping[str, Any], artifact_id: str) -> Json | None:
    """The artifact bound to an expected-artifact id as a stage sees it, account filled in (:132-189).

    ```pycon
    >>> trigger = {"resolvedExpectedArtifacts": [{"id": "m", "matchArtifact": {"artifactAccount": "gh"},
    ...                                           "boundArtifact": {"type": "github/file"}}]}
    >>> bound_artifact({"stages": [], "trigger": trigger}, {"refId": "1"}, "m")
    {'type': 'github/file', 'artifactAccount': 'gh'}

    ```
    """
    sources: list[Iterable[Json]] = [(stage.get("context") or {}).get("resolvedExpectedArtifacts") or []]
    sources += [(a.get("outputs") or {}).get("resolvedExpectedArtifacts") or [] for a in ancestors(execution, stage)]
    sources.append((execution.get("trigger") or {}).get("resolvedExpectedArtifacts") or [])
    for group in sources:
        for expected in group:
            if expected.get("id") == artifact_id:
                bound = expected.get("boundArtifact")
                if bound is None:
                    return None
                bound = dict(bound)
                if not bound.get("artifactAccount"):
                    # an empty account is filled from the matcher's (ArtifactUtils.java:175-189)
                    account = (expected.get("matchArtifact") or {}).get("artifactAccount")
                    if account:
                        bound["artifactAccount"] = account
                return bound
    return None


def _java_list(artifacts: list[Json]) -> str:
    return "[" + ", ".join(describe_artifact(a) for a in artifacts) + "]"


def resolve_at_start(
    expected_artifacts: list[Json],
    trigger_ids: Iterable[str],
    pool: list[Json],
    prior: Callable[[], list[Json]],
) -> tuple[list[Json], list[Json]]:
    """Bind a pipeline's expected artifacts at start; return (trigger.artifacts, resolvedExpectedArtifacts).

    Resolved are the EAs listed by the trigger, or with a default or prior fallback, in declaration order
    (ArtifactUtils.java:206-218); each matches the pool, then the prior execution's artifacts, then its
    default (ArtifactResolver.java:137-149); more than one match is an error at start (:160-163).

    ```pycon
    >>> ea = {"id": "m", "matchArtifact": {"type": "docker/image"}}
    >>> resolve_at_start([ea], ["m"], [], lambda: [])
    Traceback (most recent call last):
    ...
    spinpromote.sim.resolution.ResolutionError: Unmatched expected artifact ExpectedArtifact(...) could not be resolved.

    ```
    """
    ids = set(trigger_ids)
    resolved: list[Json] = []
    prior_artifacts: list[Json] | None = None
    for expected in expected_artifacts:
        if not (expected.get("id") in ids or expected.get("useDefaultArtifact") or expected.get("usePriorArtifact")):
            continue  # unlisted and without fallback: stays unbound, no error (ArtifactUtils.java:206-218)
        found = [a for a in pool if matches(expected.get("matchArtifact"), a)]
        if not found and expected.get("usePriorArtifact"):
            if prior_artifacts is None:
                prior_artifacts = prior()
            found = [a for a in prior_artifacts if matches(expected.get("matchArtifact"), a)]
        if len(found) > 1:
            raise ResolutionError(
                f"Expected artifact {describe_expected(expected)} matches multiple artifacts {_java_list(found)}"
            )
        if not found and expected.get("useDefaultArtifact") and expected.get("defaultArtifact") is not None:
            found = [expected["defaultArtifact"]]
        if not found:
            raise ResolutionError(f"Unmatched expected artifact {describe_expected(expected)} could not be resolved.")
        resolved.append({**expected, "boundArtifact": found[0]})
    return union(pool, [ea["boundArtifact"] for ea in resolved]), resolved


def resolve_in_stage(expected_artifacts: list[Json], pool: list[Json]) -> tuple[list[Json], list[Json], Json | None]:
    """Bind a stage's expected artifacts: first match wins, then the default (bindProducedArtifacts, Find).

    Returns (artifacts, resolvedExpectedArtifacts, the first EA that could not be bound or None).

    ```pycon
    >>> ea = {"id": "m", "matchArtifact": {"type": "docker/image"}}
    >>> resolve_in_stage([ea], [{"type": "docker/image", "name": "a"}, {"type": "docker/image", "name": "b"}])[0]
    [{'type': 'docker/image', 'name': 'a'}]

    ```
    """
    artifacts: list[Json] = []
    resolved: list[Json] = []
    for expected in expected_artifacts:
        found = next((a for a in pool if matches(expected.get("matchArtifact"), a)), None)
        if found is None and expected.get("useDefaultArtifact"):
            found = expected.get("defaultArtifact")
        if found is None:
            return artifacts, resolved, expected
        artifacts.append(found)
        resolved.append({**expected, "boundArtifact": found})
    return artifacts, resolved, None
