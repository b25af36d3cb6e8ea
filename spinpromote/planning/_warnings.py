"""Warnings every plan carries: pipelines left behind by an earlier apply, and triggers that fire twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["leftover_warning", "trigger_collisions", "trigger_enabled"]


def leftover_warning(live: Mapping[str, Any], owner: str) -> str:
    """The warning for a pipeline this owner applied earlier that the code no longer defines.

    ```pycon
    >>> leftover_warning({"application": "demo", "name": "Old"}, "default").split(": ")[0]
    "pipeline 'Old' in 'demo' was applied by owner 'default' but is no longer defined"

    ```
    """
    return (
        f"pipeline {live.get('name')!r} in {live.get('application')!r} was applied by owner {owner!r} but is no "
        "longer defined: it stays live (plan with --prune, or prune=True, to delete it)"
    )


def trigger_enabled(value: Any) -> bool:
    """echo's ``Trigger.enabled`` is a primitive boolean: a missing key is false (echo-model/.../Trigger.java:106).

    The simulator's echo uses this rule too.

    ```pycon
    >>> trigger_enabled(None), trigger_enabled(True), trigger_enabled("true")
    (False, True, True)

    ```
    """
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _lower(value: Any) -> str:
    return str(value or "").lower()


def trigger_key(trigger: Mapping[str, Any]) -> tuple[str, ...] | None:
    """What echo matches an event on, for the trigger types where two pipelines can share an event.

    git: source, project and slug ignoring case, and the branch pattern (GitEventHandler.java:100-111);
    docker: account and repository (DockerEventHandler.java:117-130); webhook: its source
    (WebhookEventHandler.java:90-109); pubsub: system and subscription. None for other or disabled triggers.

    ```pycon
    >>> trigger_key({"type": "docker", "enabled": True, "account": "hub", "repository": "acme/app", "tag": "v.*"})
    ('docker', 'hub', 'acme/app')

    ```
    """
    if not trigger_enabled(trigger.get("enabled")):
        return None
    kind = str(trigger.get("type") or "")
    if kind == "git":
        fields = (_lower(trigger.get("source")), _lower(trigger.get("project")), _lower(trigger.get("slug")))
        return ("git", *fields, str(trigger.get("branch") or ""))
    if kind == "docker":
        return ("docker", str(trigger.get("account") or ""), str(trigger.get("repository") or ""))
    if kind == "webhook":
        return ("webhook", str(trigger.get("source") or ""))
    if kind == "pubsub":
        return ("pubsub", str(trigger.get("pubsubSystem") or ""), str(trigger.get("subscriptionName") or ""))
    return None


def _describe(key: tuple[str, ...]) -> str:
    labels = {
        "git": ("source", "project", "slug", "branch"),
        "docker": ("account", "repository"),
        "webhook": ("source",),
        "pubsub": ("system", "subscription"),
    }[key[0]]
    return (
        f"{key[0]} trigger ("
        + ", ".join(f"{label} {value!r}" for label, value in zip(labels, key[1:], strict=True))
        + ")"
    )


def trigger_collisions(pipelines: Iterable[Mapping[str, Any]]) -> list[str]:
    """A warning for each pair of enabled pipelines in one application that one event would both start.

    ```pycon
    >>> docker = {"type": "docker", "enabled": True, "account": "h", "repository": "r"}
    >>> a = {"application": "d", "name": "A", "triggers": [docker]}
    >>> b = {"application": "d", "name": "B", "triggers": [docker]}
    >>> print(trigger_collisions([a, b])[0])
    pipelines 'A' and 'B' in 'd' fire on the same docker trigger (account 'h', repository 'r'): one event starts both

    ```
    """
    first: dict[tuple[str, ...], str] = {}
    warnings: list[str] = []
    for pipeline in pipelines:
        if pipeline.get("disabled") is True:  # echo ignores disabled pipelines (PipelineCache.java:282-284)
            continue
        application, name = _lower(pipeline.get("application")), str(pipeline.get("name"))
        seen_here: set[tuple[str, ...]] = set()
        for trigger in pipeline.get("triggers") or []:
            key = trigger_key(trigger) if isinstance(trigger, Mapping) else None
            if key is None or key in seen_here:
                continue
            seen_here.add(key)
            other = first.setdefault((application, *key), name)
            if other != name:
                warnings.append(
                    f"pipelines {other!r} and {name!r} in {pipeline.get('application')!r} fire on the same "
                    f"{_describe(key)}: one event starts both"
                )
    return warnings
