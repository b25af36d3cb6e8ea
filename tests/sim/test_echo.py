"""echo's trigger matching (echo-pipelinetriggers/.../eventhandlers/*, PipelineCache.java, ArtifactMatcher.java)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from spinpromote.sim import DockerPush, GitPush, HelmChartPush, JenkinsBuild, PubsubMessage, Spinnaker, WebhookEvent
from tests.sim._build import github_file, pipeline, wait


def started_by(trigger: dict[str, Any], event: Any, **fields: Any) -> list[str]:
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "triggers": [trigger], **fields})
    return [e.pipeline_name for e in spin.send(event)]


GIT = {"type": "git", "enabled": True, "source": "github", "project": "acme", "slug": "demo", "branch": "main"}


@pytest.mark.parametrize(
    ("trigger", "push", "fires"),
    [
        (GIT, GitPush(repo="acme/demo", branch="main"), True),
        ({**GIT, "project": "ACME", "slug": "Demo"}, GitPush(repo="acme/demo", branch="main"), True),
        ({**GIT, "branch": "release-.*"}, GitPush(repo="acme/demo", branch="release-1"), True),
        ({**GIT, "branch": "main"}, GitPush(repo="acme/demo", branch="main-fix"), False),  # whole-string regex
        ({**GIT, "branch": ""}, GitPush(repo="acme/demo", branch="anything"), True),
        (GIT, GitPush(repo="acme/other", branch="main"), False),
        (GIT, GitPush(source="gitlab", repo="acme/demo", branch="main"), False),
    ],
)
def test_git_source_project_slug_ignore_case_and_branch_is_a_whole_regex(
    trigger: dict[str, Any], push: GitPush, fires: bool
) -> None:
    """GitEventHandler.java:100-111,148-152."""
    assert started_by(trigger, push) == (["P"] if fires else [])


def test_disabled_triggers_and_pipelines_and_missing_enabled_do_not_fire() -> None:
    """Trigger.enabled is a primitive boolean, so a missing key is false (echo Trigger.java:106); disabled
    pipelines are no candidates (PipelineCache.java:282-284)."""
    push = GitPush(repo="acme/demo", branch="main")
    assert started_by({**GIT, "enabled": False}, push) == []
    assert started_by({k: v for k, v in GIT.items() if k != "enabled"}, push) == []
    assert started_by(GIT, push, disabled=True) == []


def test_git_push_artifacts_are_pinned_to_the_commit_and_gate_the_trigger() -> None:
    """One github/file per added or modified path, version = the commit (GitHubArtifactExtractor.java:44-65); with
    expectedArtifactIds only a matching artifact fires (ArtifactMatcher.java:38-71)."""
    ea = {"id": "m", "matchArtifact": {"type": "github/file", "name": "k8s/web.yml"}}
    spin = Spinnaker()
    spin.save(
        {**pipeline("P", wait("w")), "triggers": [{**GIT, "expectedArtifactIds": ["m"]}], "expectedArtifacts": [ea]}
    )

    assert spin.send(GitPush(repo="acme/demo", files={"docs/x.md": "x"})) == []
    (run,) = spin.send(GitPush(repo="acme/demo", files={"k8s/web.yml": "kind: Service", "old.yml": None}))
    sha = spin.git.resolve("acme/demo", "main")
    assert [(a.name, a.version) for a in run.artifacts] == [("k8s/web.yml", sha)]
    assert run.trigger["hash"] == sha and run.trigger["branch"] == "main"


def test_bitbucket_push_carries_no_artifacts() -> None:
    """There is no Bitbucket extractor (ArtifactExtractor.java:32-38)."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "triggers": [{**GIT, "source": "bitbucket", "slug": "acme/demo"}]})
    (run,) = spin.send(GitPush(source="bitbucket", repo="acme/demo", files={"k8s/web.yml": "x"}))
    assert run.artifacts == ()


DOCKER = {"type": "docker", "enabled": True, "account": "gcr", "registry": "gcr.io", "repository": "acme/web"}


@pytest.mark.parametrize(
    ("trigger", "push", "fires"),
    [
        (DOCKER, DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"), True),
        (DOCKER, DockerPush(registry="gcr.io", repository="acme/web", tag="latest", account="gcr"), False),
        ({**DOCKER, "tag": "v.*"}, DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"), True),
        ({**DOCKER, "tag": "v"}, DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"), False),
        (
            {**DOCKER, "tag": "(bad"},
            DockerPush(registry="gcr.io", repository="acme/web", tag="(bad", account="gcr"),
            False,
        ),
        (DOCKER, DockerPush(registry="docker.io", repository="acme/web", tag="v2", account="gcr"), True),
        (DOCKER, DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="other"), False),
        (DOCKER, DockerPush(registry="gcr.io", repository="Acme/web", tag="v2", account="gcr"), False),
    ],
)
def test_docker_account_and_repository_exact_and_tag_a_full_regex(
    trigger: dict[str, Any], push: DockerPush, fires: bool
) -> None:
    """DockerEventHandler.java:117-130: registry ignored; blank tag = any tag but latest; bad regex never matches."""
    assert started_by(trigger, push) == (["P"] if fires else [])


def test_docker_push_artifact_and_digest() -> None:
    """The image artifact is named registry/repository with the tag as version; the trigger carries tag and digest."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "triggers": [DOCKER]})
    (run,) = spin.send(DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr"))
    (image,) = run.artifacts
    assert (image.type, image.name, image.version, image.reference) == (
        "docker/image",
        "gcr.io/acme/web",
        "v2",
        "gcr.io/acme/web:v2",
    )
    assert run.trigger["digest"] == spin.registry.digest("gcr.io", "acme/web", "v2")


def test_webhook_source_is_case_sensitive_and_constraints_are_found() -> None:
    """WebhookEventHandler.java:90-109; constraints: a regex *find* on top-level keys (ArtifactMatcher.java:110-146)."""
    hook = {"type": "webhook", "enabled": True, "source": "ci", "payloadConstraints": {"status": "green"}}
    assert started_by(hook, WebhookEvent(source="ci", payload={"status": "all green"})) == ["P"]
    assert started_by(hook, WebhookEvent(source="CI", payload={"status": "green"})) == []
    assert started_by(hook, WebhookEvent(source="ci", payload={"status": "red"})) == []
    assert started_by(hook, WebhookEvent(source="ci", payload={})) == []


def test_webhook_payload_artifacts_and_parameters_reach_the_trigger() -> None:
    """WebhooksController.groovy:96-98: the payload's artifacts are the event's."""
    spin = Spinnaker()
    spin.save({**pipeline("P", wait("w")), "triggers": [{"type": "webhook", "enabled": True, "source": "ci"}]})
    payload = {"artifacts": [github_file(version="abc")], "parameters": {"env": "qa"}}
    (run,) = spin.send(WebhookEvent(source="ci", payload=payload))
    assert [a.version for a in run.artifacts] == ["abc"] and run.trigger["parameters"] == {"env": "qa"}


def test_pubsub_jenkins_and_helm() -> None:
    """PubsubEventHandler.java:76-139 (ignore case), BuildEventHandler.java:82-184 (SUCCESS, master, job),
    HelmEventHandler.java:50-118 (account, version range; the chart name is not compared)."""
    pubsub = {"type": "pubsub", "enabled": True, "pubsubSystem": "google", "subscriptionName": "Builds"}
    assert started_by(pubsub, PubsubMessage(pubsub_system="GOOGLE", subscription_name="builds")) == ["P"]
    jenkins = {"type": "jenkins", "enabled": True, "master": "ci", "job": "web/build"}
    assert started_by(jenkins, JenkinsBuild(master="ci", job="web/build")) == ["P"]
    assert started_by(jenkins, JenkinsBuild(master="ci", job="web/build", result="FAILURE")) == []
    helm = {"type": "helm", "enabled": True, "account": "charts", "chart": "web", "version": ">=1.2.0 <2.0.0"}
    assert started_by(helm, HelmChartPush(account="charts", chart="anything", version="1.4.0")) == ["P"]
    assert started_by(helm, HelmChartPush(account="charts", chart="web", version="2.0.0")) == []


def test_cron_fires_at_its_time_in_echo_time_zone_with_no_artifacts() -> None:
    """Cron triggers fire on their schedule in America/Los_Angeles (SchedulerConfiguration.groovy:52) with a fresh
    trigger and no expectedArtifactIds (TriggerConverter.groovy:86-100). The simulation starts Monday 09:00 there."""
    spin = Spinnaker()
    cron = {"type": "cron", "enabled": True, "cronExpression": "0 30 9 ? * MON-FRI", "expectedArtifactIds": ["m"]}
    spin.save({**pipeline("Nightly", wait("w")), "triggers": [cron]})

    spin.advance(timedelta(minutes=29))
    assert spin.executions("demo") == []
    spin.advance(timedelta(minutes=1))
    (run,) = spin.executions("demo")
    assert run.trigger["type"] == "cron" and "expectedArtifactIds" not in run.trigger
    spin.advance(timedelta(days=7))
    assert len(spin.executions("demo")) == 6  # the next five weekdays
