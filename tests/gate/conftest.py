"""Fixtures for the Gate client tests: a FakeGate, a client with fast retries, pipeline documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from spinpromote import ExpectedArtifact, GitHubFile, GitTrigger, Pipeline, PromotionChain
from spinpromote.gate import GateClient, RetryPolicy
from spinpromote.ids import pipeline_id
from spinpromote.testing import FakeGate

APP = "demo"

# Small waits keep the suite fast; the logic is the same as with the default policy.
FAST_RETRY = RetryPolicy(attempts=6, backoff=0.002, max_backoff=0.02, max_retry_after=2.0)


def pipeline_doc(
    name: str,
    application: str = APP,
    *,
    upstream: str | None = None,
    wait_time: int = 30,
    stages: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A pipeline as Deck saves it, with a deterministic id; ``upstream`` adds a pipeline trigger on that name."""
    triggers: list[dict[str, Any]] = []
    if upstream is not None:
        triggers.append(
            {
                "type": "pipeline",
                "enabled": True,
                "application": application,
                "pipeline": pipeline_id(application, upstream),
                "status": ["successful"],
            }
        )
    return {
        "application": application,
        "name": name,
        "id": pipeline_id(application, name),
        "keepWaitingPipelines": False,
        "limitConcurrent": True,
        "spelEvaluator": "v4",
        "triggers": triggers,
        "stages": stages
        if stages is not None
        else [{"refId": "1", "requisiteStageRefIds": [], "type": "wait", "name": "Wait", "waitTime": wait_time}],
        **extra,
    }


def contract_chain() -> PromotionChain:
    """The chain of issue 3's contract."""
    manifest = ExpectedArtifact(
        display_name="demo-manifest",
        match=GitHubFile(path="manifests/demo.yml", artifact_account="github"),
        default=GitHubFile(path="manifests/demo.yml", repo="acme/demo", version="main", artifact_account="github"),
    )
    return (
        PromotionChain("artifact-promotion-demo", artifact=manifest)
        .trigger(GitTrigger(source="github", project="acme", slug="demo", branch="main"))
        .deploy("staging", account="staging")
        .judge("Staging Judgement", instructions="Verify the staging deployment, then continue.")
        .deploy("production", account="prod")
    )


def typed(*documents: dict[str, Any]) -> list[Pipeline]:
    """The documents as typed pipelines (the public input of `GateClient.plan`)."""
    return [Pipeline.from_dict(document) for document in documents]


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeGate]:
    """A FakeGate without auth or faults (its options can be given by indirect parametrization)."""
    with FakeGate(**getattr(request, "param", {})) as server:
        yield server


@pytest.fixture
def gate(fake: FakeGate) -> Iterator[GateClient]:
    """A client of ``fake`` with fast retries and short timeouts."""
    with GateClient(fake.url, retry=FAST_RETRY, timeout=(2, 10)) as client:
        yield client


class RecordingSession(requests.Session):
    """A real session that also remembers the keyword arguments of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append({"method": method, "url": url, **kwargs})
        return super().request(method, url, *args, **kwargs)
