"""echo's trigger matching: which enabled triggers of which pipelines an event fires, with what artifacts.

Handlers mirror ``echo/echo-pipelinetriggers/.../pipelinetriggers/eventhandlers/`` (file and lines on each
rule); candidates and the artifact gate mirror ``PipelineCache.java:282-284`` and ``ArtifactMatcher.java:38-71``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import attrs

from spinpromote._artifact_match import InvalidPattern, artifact_matches
from spinpromote.planning._warnings import trigger_enabled as enabled
from spinpromote.sim.events import DockerPush, Event, GitPush, HelmChartPush, JenkinsBuild, PubsubMessage, WebhookEvent

__all__ = ["Fired", "enabled", "event_artifacts", "fire", "push_artifacts"]

Json = dict[str, Any]
GITLAB_API = "https://gitlab.com/api/v4"


@attrs.frozen(kw_only=True)
class Fired:
    """A pipeline an event starts: the stored config, the trigger echo sends to orca, and the event's artifacts.

    ```pycon
    >>> Fired(pipeline={"name": "p"}, trigger={"type": "git"}, artifacts=[]).trigger["type"]
    'git'

    ```
    """

    pipeline: Json
    trigger: Json
    artifacts: list[Json]


def _same_ignoring_case(configured: Any, actual: str | None) -> bool:
    return (
        isinstance(configured, str) and configured != "" and actual is not None and configured.lower() == actual.lower()
    )


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False  # a bad regex matches nothing (DockerEventHandler.java:117-130)


def _find(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def push_artifacts(push: GitPush, sha: str) -> list[Json]:
    """The artifacts echo extracts from a push: one per added or modified path, pinned to the commit.

    GitHub: ``GitHubArtifactExtractor.java:44-65``; GitLab: ``GitlabV4ArtifactExtractor.java:51-76``;
    Bitbucket has no extractor (``ArtifactExtractor.java:32-38``). Removed paths are skipped.

    ```pycon
    >>> push_artifacts(GitPush(repo="acme/demo", files={"a.yml": "x"}), "abc")[0]["reference"]
    'https://api.github.com/repos/acme/demo/contents/a.yml'

    ```
    """
    paths = [path for path, text in push.files.items() if text is not None]
    if push.source == "github":
        return [
            {
                "type": "github/file",
                "name": path,
                "version": sha,
                "reference": f"https://api.github.com/repos/{push.repo}/contents/{path}",
            }
            for path in paths
        ]
    if push.source == "gitlab":
        project = quote(push.repo, safe="")
        return [
            {
                "type": "gitlab/file",
                "name": path,
                "version": sha,
                "reference": f"{GITLAB_API}/projects/{project}/repository/files/{quote(path, safe='')}/raw",
            }
            for path in paths
        ]
    return []


def _git(trigger: Mapping[str, Any], push: GitPush, notes: list[str]) -> bool:
    # GitEventHandler.java:79-111,148-152: source, project, slug equal ignoring case; branch a whole-string regex
    slug = push.repo if push.source == "bitbucket" else push.slug  # Bitbucket Cloud slug = full_name
    if not (
        _same_ignoring_case(trigger.get("source"), push.source)
        and _same_ignoring_case(trigger.get("project"), push.project)
        and _same_ignoring_case(trigger.get("slug"), slug)
    ):
        return False
    branch = trigger.get("branch")
    if branch and not _full_match(str(branch), push.branch):
        return False
    events = trigger.get("events") or []
    action = push.action or "push:push"  # GithubWebhookEventHandler.java:81-93
    if events and action not in events:
        return False
    if trigger.get("secret"):
        # GitEventHandler.java:154-204: a secret needs a matching signature header, which a simulated push lacks
        notes.append(f"git trigger with a secret does not fire: the simulated push carries no signature ({push.repo})")
        return False
    return True


def _docker(trigger: Mapping[str, Any], push: DockerPush) -> bool:
    # DockerEventHandler.java:67-130: account and repository exactly equal (registry ignored); blank tag = any
    # tag but latest; else the trimmed tag must fully match
    if trigger.get("account") != push.account or trigger.get("repository") != push.repository:
        return False
    tag = (trigger.get("tag") or "").strip()
    if not tag:
        return push.tag != "latest"
    return _full_match(tag, push.tag)


def _constraints_hold(constraints: Mapping[str, Any] | None, values: Mapping[str, Any], notes: list[str]) -> bool:
    # ArtifactMatcher.java:110-146: each key present and non-null; the constraint is a regex *found* in the value
    for key, pattern in (constraints or {}).items():
        if key.startswith("$"):
            notes.append(f"payload constraint {key!r} is a JsonPath: not simulated, so it does not match")
            return False
        value = values.get(key)
        if value is None or not _find(str(pattern), value if isinstance(value, str) else str(value)):
            return False
    return True


def _semver(version: str) -> tuple[int, ...] | None:
    found = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", version.strip())
    return None if found is None else tuple(int(part or 0) for part in found.groups())


def _helm_version_ok(constraint: str, version: str, notes: list[str]) -> bool:
    # HelmEventHandler.java:50-118: blank, or an npm semver range the version satisfies. Simulated: exact
    # versions and space-separated comparators (>=, >, <=, <, =); anything else is noted and does not match.
    constraint = constraint.strip()
    if not constraint or constraint == version:
        return True
    actual = _semver(version)
    terms = constraint.split()
    if actual is None:
        return False
    for term in terms:
        found = re.fullmatch(r"(>=|<=|>|<|=)?(.+)", term)
        bound = _semver(found.group(2)) if found else None
        if found is None or bound is None:
            notes.append(f"helm version range {constraint!r} not simulated; the trigger does not fire")
            return False
        op = found.group(1) or "="
        if not {
            "=": actual == bound,
            ">": actual > bound,
            ">=": actual >= bound,
            "<": actual < bound,
            "<=": actual <= bound,
        }[op]:
            return False
    return True


def _match(trigger: Mapping[str, Any], event: Event, notes: list[str]) -> bool:
    kind = trigger.get("type")
    if isinstance(event, GitPush):
        return kind == "git" and _git(trigger, event, notes)
    if isinstance(event, DockerPush):
        return kind == "docker" and _docker(trigger, event)
    if isinstance(event, WebhookEvent):
        # WebhookEventHandler.java:90-109: the source is compared case-sensitively
        return (
            kind == "webhook"
            and trigger.get("source") == event.source
            and _constraints_hold(trigger.get("payloadConstraints"), event.payload, notes)
        )
    if isinstance(event, PubsubMessage):
        # PubsubEventHandler.java:76-139
        return (
            kind == "pubsub"
            and _same_ignoring_case(trigger.get("pubsubSystem"), event.pubsub_system)
            and _same_ignoring_case(trigger.get("subscriptionName"), event.subscription_name)
            and _constraints_hold(trigger.get("payloadConstraints"), event.payload, notes)
            and _constraints_hold(trigger.get("attributeConstraints"), event.attributes, notes)
        )
    if isinstance(event, JenkinsBuild):
        # BuildEventHandler.java:82-184: a finished SUCCESS build of the same master and job
        return (
            kind == "jenkins"
            and event.result == "SUCCESS"
            and trigger.get("master") == event.master
            and trigger.get("job") == event.job
            and _constraints_hold(trigger.get("payloadConstraints"), event.properties, notes)
        )
    if isinstance(event, HelmChartPush):
        # HelmEventHandler.java:50-118: account equal; the chart name is not compared
        return (
            kind == "helm"
            and trigger.get("account") == event.account
            and _helm_version_ok(str(trigger.get("version") or ""), event.version, notes)
        )
    return False


def event_artifacts(event: Event, sha: str | None) -> list[Json]:
    """The artifacts echo attaches to an event (see each handler)."""
    if isinstance(event, GitPush):
        return push_artifacts(event, sha or "")
    if isinstance(event, DockerPush):
        # DockerEventHandler.java: docker/image named registry/repository, version = tag, no account
        return [
            {
                "type": "docker/image",
                "name": f"{event.registry}/{event.repository}",
                "version": event.tag,
                "reference": event.image,
            }
        ]
    if isinstance(event, WebhookEvent):
        return [dict(artifact) for artifact in event.payload.get("artifacts") or []]
    if isinstance(event, (PubsubMessage, JenkinsBuild)):
        return [dict(artifact) for artifact in event.artifacts]
    # HelmEventHandler.java:50-118: helm/chart named after the chart, reference = the account
    return [{"type": "helm/chart", "name": event.chart, "version": event.version, "reference": event.account}]


def _trigger_for_orca(trigger: Mapping[str, Any], event: Event, sha: str | None, digest: str | None) -> Json:
    built: Json = dict(trigger)
    if isinstance(event, GitPush):
        built.update(hash=sha, branch=event.branch, action=event.action or "push:push")
    elif isinstance(event, DockerPush):
        built.update(tag=event.tag, digest=digest)
    elif isinstance(event, WebhookEvent):
        built.update(payload=dict(event.payload), parameters=dict(event.payload.get("parameters") or {}))
    elif isinstance(event, PubsubMessage):
        built.update(payload=dict(event.payload))
    elif isinstance(event, JenkinsBuild):
        built.update(buildNumber=event.number, properties=dict(event.properties))
    elif isinstance(event, HelmChartPush):
        built.update(version=event.version)
    return built


def _artifact_gate(pipeline: Mapping[str, Any], trigger: Mapping[str, Any], artifacts: list[Json]) -> bool:
    # ArtifactMatcher.java:38-71: with expectedArtifactIds, some event artifact must match some listed EA
    ids = trigger.get("expectedArtifactIds") or []
    if not ids:
        return True
    listed = [ea for ea in pipeline.get("expectedArtifacts") or [] if isinstance(ea, Mapping) and ea.get("id") in ids]
    return any(artifact_matches(ea.get("matchArtifact"), artifact) for ea in listed for artifact in artifacts)


def fire(
    pipelines: Iterable[Json], event: Event, *, sha: str | None, digest: str | None, notes: list[str]
) -> Iterator[Fired]:
    """Every (pipeline, trigger) the event fires, in store order, one execution per matching trigger
    (echo caches enabled triggers and checks each one: BaseTriggerEventHandler.java:65-153).

    ```pycon
    >>> pipeline = {"name": "p", "triggers": [{"type": "webhook", "enabled": True, "source": "ci"}]}
    >>> [f.pipeline["name"] for f in fire([pipeline], WebhookEvent(source="ci"), sha=None, digest=None, notes=[])]
    ['p']

    ```
    """
    artifacts = event_artifacts(event, sha)
    for pipeline in pipelines:
        if pipeline.get("disabled"):
            continue  # PipelineCache.java:282-284
        for trigger in pipeline.get("triggers") or []:
            if not isinstance(trigger, Mapping) or not enabled(trigger.get("enabled")):
                continue
            if not _match(trigger, event, notes):
                continue
            try:
                gate_passed = _artifact_gate(pipeline, trigger, artifacts)
            except InvalidPattern as invalid:
                # BaseTriggerEventHandler.java:65-153: an exception in the artifact gate drops the trigger silently
                notes.append(
                    f"{pipeline.get('name')!r}: the {trigger.get('type')} trigger matched, but {invalid} (Python's "
                    "regex dialect; Java's may differ), so echo drops it"
                )
                continue
            if not gate_passed:
                notes.append(
                    f"{pipeline.get('name')!r}: the {trigger.get('type')} trigger matched, but no artifact of the "
                    "event matches its expected artifacts, so it did not fire (echo ArtifactMatcher.java:38-71)"
                )
                continue
            yield Fired(pipeline=pipeline, trigger=_trigger_for_orca(trigger, event, sha, digest), artifacts=artifacts)
