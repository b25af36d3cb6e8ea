"""Applying changed pipelines: ``GateClient.apply`` against one-at-a-time saves, as ``spin pipeline save`` does.

Both sides start from the same live state in a FakeGate whose saves take ``--latency`` seconds (orca's save
task makes every real save slow): 200 pipelines in 4 applications, chains of 5 linked by pipeline triggers,
all of them changed. The baseline looks each pipeline up by name (``GET .../pipelineConfigs/{name}``),
takes its id and saves it, one after the other. spinpromote plans (one list per application, validation
included) and applies with its default concurrency, upstream pipelines first: it re-reads each pipeline
just before saving it (the check that nothing changed since the plan) and confirms what it wrote by
listing each application again. Target: at least 3x faster.
Then it re-applies the unchanged set and counts the requests: one list per application and no writes.

Run: ``python benchmarks/bench_apply.py [--pipelines 200] [--latency 0.05] [--repeats 1]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import _bench  # noqa: F401 - before spinpromote: puts the checkout on sys.path
import requests

from spinpromote.gate import OWNERSHIP_KEY, GateClient
from spinpromote.ids import pipeline_id
from spinpromote.planning import canonical, comparable
from spinpromote.testing import FakeGate

APPLICATIONS = ("bench-a", "bench-b", "bench-c", "bench-d")
CHAIN = 5


def documents(count: int, wait_time: int) -> list[dict[str, Any]]:
    """``count`` pipelines spread over the applications, in chains of CHAIN linked by pipeline triggers."""
    result = []
    for index in range(count):
        application = APPLICATIONS[index % len(APPLICATIONS)]
        number = index // len(APPLICATIONS)
        name = f"service {number // CHAIN} step {number % CHAIN}"
        triggers = []
        if number % CHAIN:
            upstream = f"service {number // CHAIN} step {number % CHAIN - 1}"
            triggers.append(
                {
                    "type": "pipeline",
                    "enabled": True,
                    "application": application,
                    "pipeline": pipeline_id(application, upstream),
                    "status": ["successful"],
                }
            )
        result.append(
            {
                "application": application,
                "name": name,
                "id": pipeline_id(application, name),
                "keepWaitingPipelines": False,
                "limitConcurrent": True,
                "spelEvaluator": "v4",
                "triggers": triggers,
                "stages": [{"refId": "1", "type": "wait", "name": "Soak", "waitTime": wait_time}],
            }
        )
    return result


def spin_style(url: str, desired: list[dict[str, Any]]) -> None:
    """What ``spin pipeline save`` does for each file: look the name up, take the live id, save."""
    with requests.Session() as session:
        for document in desired:
            application, name = quote(document["application"], safe=""), quote(document["name"], safe="")
            found = session.get(f"{url}/applications/{application}/pipelineConfigs/{name}", timeout=(5, 60))
            body = dict(document)
            if found.status_code == 200 and found.content:
                body["id"] = found.json()["id"]
            session.post(url + "/pipelines", json=body, timeout=(5, 60)).raise_for_status()


def with_spinpromote(url: str, desired: list[dict[str, Any]], concurrency: int) -> None:
    with GateClient(url) as gate:
        gate.apply(gate.plan(desired), concurrency=concurrency)


def timed_run(count: int, latency: float, run: Callable[[str, list[dict[str, Any]]], None]) -> float:
    """Seconds ``run`` takes to apply the changed set to a fresh FakeGate; checks the result."""
    old, new = documents(count, wait_time=30), documents(count, wait_time=60)
    with FakeGate(save_latency=latency) as fake:
        for document in old:
            fake.store(document)
        started = time.perf_counter()
        run(fake.url, new)
        seconds = time.perf_counter() - started
        stored = {(d["application"], d["name"]): d for d in fake.pipelines()}
        assert len(stored) == count, f"{len(stored)} pipelines stored, {count} expected"
        for document in new:
            live = stored[(document["application"], document["name"])]
            assert live["stages"][0]["waitTime"] == 60, live
            assert live["id"] == document["id"], live
    return seconds


def reapply_counts(count: int, latency: float) -> dict[str, int]:
    """Requests made by plan + apply when nothing changed."""
    desired = documents(count, wait_time=60)
    with FakeGate(save_latency=latency) as fake, GateClient(fake.url) as gate:
        gate.apply(gate.plan(desired))
        fake.clear_requests()
        plan = gate.plan(desired)
        result = gate.apply(plan)
        assert not plan.has_changes
        assert result.written == ()
        for document in desired:  # the stored documents are exactly the desired ones (plus the marker)
            live = fake.pipeline(document["application"], document["name"])
            assert live is not None
            assert live.pop(OWNERSHIP_KEY) == {"owner": "default"}
            assert canonical(comparable(live)) == canonical(comparable(document))
        return {
            "requests": fake.count(),
            "list requests": fake.count("GET", "/applications/", prefix=True),
            "writes": fake.count("POST") + fake.count("DELETE"),
            "applications": len(APPLICATIONS),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each save takes in FakeGate")
    parser.add_argument("--concurrency", type=int, default=4, help="spinpromote's apply concurrency")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per side; the best counts")
    options = parser.parse_args()

    ours = min(
        timed_run(options.pipelines, options.latency, lambda url, d: with_spinpromote(url, d, options.concurrency))
        for _ in range(options.repeats)
    )
    baseline = min(timed_run(options.pipelines, options.latency, spin_style) for _ in range(options.repeats))
    speedup = baseline / ours
    print(
        f"apply {options.pipelines} changed pipelines, {options.latency * 1000:.0f} ms per save: "
        f"spinpromote {ours:.2f} s (plan + apply, concurrency {options.concurrency}), "
        f"one at a time {baseline:.2f} s; {speedup:.1f}x faster  "
        f"{'OK' if speedup >= 3 else 'MISSED'} (target >= 3x)"
    )
    counts = reapply_counts(options.pipelines, options.latency)
    print(
        f"re-apply unchanged: {counts['requests']} requests, {counts['list requests']} list requests for "
        f"{counts['applications']} applications, {counts['writes']} writes"
    )


if __name__ == "__main__":
    main()
