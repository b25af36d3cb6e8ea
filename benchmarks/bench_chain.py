"""Chain cost: a PromotionChain of 100 environments x 3 targets to JSON text, against a hand-written builder.

The chain: a git trigger, one GitHub manifest artifact, then 100 environments of three parallel Deploy
(Manifest) targets each, in the default ``pipelines`` layout (100 pipelines, each triggered by the one
before, artifacts handed down the triggers). The hand-written builder takes the same plain arguments and
builds the same list of dicts (deterministic ids included), then ``json.dumps`` each with spinpromote's
arguments; the texts are asserted equal.

Timed (the target, at most 1.25x): everything from plain arguments to JSON text, i.e. defining the chain
(``deploy()`` calls), building its pipeline objects (``chain.pipelines()``) and ``to_json()`` on each.
Also shown, untargeted: the same without defining the chain (chain built beforehand), and each phase alone.

Run: ``python benchmarks/bench_chain.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import _bench  # before spinpromote: puts the checkout on sys.path

from spinpromote import ExpectedArtifact, GitHubFile, GitTrigger, PromotionChain, Target
from spinpromote.ids import expected_artifact_id, pipeline_id

TARGET = 1.25
APP = "shop"
ENVIRONMENTS = 100
TARGETS = 3
PATH = "deploy/shop.yml"
REPO = "acme/shop"

Environments = list[tuple[str, list[tuple[str, str]]]]


def plain_arguments() -> Environments:
    """(environment name, [(account, namespace), ...]) for each environment."""
    return [
        (f"env{index:03d}", [(f"k8s-{region}", f"shop-{index:03d}") for region in ("east", "west", "north")[:TARGETS]])
        for index in range(ENVIRONMENTS)
    ]


def define_chain(environments: Environments) -> PromotionChain:
    """The chain, written as a user writes it."""
    chain = PromotionChain(
        APP,
        artifact=ExpectedArtifact(
            display_name="shop manifest",
            match=GitHubFile(path=PATH, artifact_account="github"),
            default=GitHubFile(path=PATH, repo=REPO, version="main", artifact_account="github"),
        ),
    ).trigger(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
    for name, targets in environments:
        chain = chain.deploy(name, targets=[Target(account=account, namespace=ns) for account, ns in targets])
    return chain


def chain_texts(chain: PromotionChain) -> list[str]:
    return [pipeline.to_json() for pipeline in chain.pipelines()]


def hand_dicts(environments: Environments) -> list[dict[str, Any]]:
    """The same pipelines, built by hand from the plain arguments."""
    artifact_id = expected_artifact_id(APP, "shop manifest")
    carried = "${trigger.parentExecution.stages.^[refId == '1'].context.manifests}"
    match = {"type": "github/file", "name": PATH, "artifactAccount": "github"}
    result: list[dict[str, Any]] = []
    previous: str | None = None
    for name, targets in environments:
        title = name[:1].upper() + name[1:]
        pipeline_name = f"Deploy to {title}"
        this_id = pipeline_id(APP, pipeline_name)
        if previous is None:
            trigger: dict[str, Any] = {
                "type": "git",
                "enabled": True,
                "expectedArtifactIds": [artifact_id],
                "source": "github",
                "project": "acme",
                "slug": "shop",
                "branch": "main",
            }
            artifact: dict[str, Any] = {
                "id": artifact_id,
                "displayName": "shop manifest",
                "matchArtifact": dict(match),
                "defaultArtifact": {
                    "type": "github/file",
                    "name": PATH,
                    "version": "main",
                    "reference": f"https://api.github.com/repos/{REPO}/contents/{PATH}",
                    "artifactAccount": "github",
                },
                "useDefaultArtifact": True,
                "usePriorArtifact": False,
            }
        else:
            trigger = {
                "type": "pipeline",
                "enabled": True,
                "expectedArtifactIds": [artifact_id],
                "application": APP,
                "pipeline": previous,
                "status": ["successful"],
            }
            artifact = {
                "id": artifact_id,
                "displayName": "shop manifest",
                "matchArtifact": dict(match),
                "useDefaultArtifact": False,
                "usePriorArtifact": False,
            }
        several = len(targets) > 1
        stages = [
            {
                "type": "deployManifest",
                "refId": str(number),
                "requisiteStageRefIds": [],
                "name": f"{pipeline_name} ({account}/{namespace})" if several else pipeline_name,
                "account": account,
                "cloudProvider": "kubernetes",
                **(
                    {"manifestArtifactId": artifact_id, "source": "artifact"}
                    if previous is None
                    else {"manifests": [carried], "source": "text"}  # pinned: what the environment before deployed
                ),
                "namespaceOverride": namespace,
                "moniker": {"app": APP},
                "skipExpressionEvaluation": False,
                "trafficManagement": {"enabled": False, "options": {"enableTraffic": False, "services": []}},
            }
            for number, (account, namespace) in enumerate(targets, start=1)
        ]
        result.append(
            {
                "id": this_id,
                "application": APP,
                "name": pipeline_name,
                "keepWaitingPipelines": False,
                "limitConcurrent": True,
                "spelEvaluator": "v4",
                "triggers": [trigger],
                "expectedArtifacts": [artifact],
                "parameterConfig": [],
                "notifications": [],
                "stages": stages,
            }
        )
        previous = this_id
    return result


def hand_texts(environments: Environments) -> list[str]:
    return [
        json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) for document in hand_dicts(environments)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per side; the best counts")
    repeats = parser.parse_args().repeats

    environments = plain_arguments()
    chain = define_chain(environments)
    pipelines = chain.pipelines()
    assert chain_texts(chain) == hand_texts(environments), "texts differ"
    print(
        f"PromotionChain: {ENVIRONMENTS} environments x {TARGETS} targets -> {len(pipelines)} pipelines, "
        f"texts identical; best of {repeats}, gc off while timing"
    )
    print("timed: plain arguments -> chain definition -> pipeline objects -> JSON text")
    _bench.compare(
        "define + pipelines() + to_json() vs dicts + json.dumps",
        lambda: chain_texts(define_chain(environments)),
        lambda: hand_texts(environments),
        repeats=repeats,
        target=TARGET,
    )
    print("untargeted breakdown:")
    _bench.compare(
        "  pipelines() + to_json() (chain defined beforehand) vs dicts + json.dumps",
        lambda: chain_texts(chain),
        lambda: hand_texts(environments),
        repeats=repeats,
    )
    _bench.compare(
        "  chain.render() (dicts, no text)                    vs dicts alone",
        chain.render,
        lambda: hand_dicts(environments),
        repeats=repeats,
    )
    documents = hand_dicts(environments)
    _bench.compare(
        "  to_json() of built pipelines                       vs json.dumps of built dicts",
        lambda: [pipeline.to_json() for pipeline in pipelines],
        lambda: [json.dumps(d, ensure_ascii=False, indent=2, allow_nan=False) for d in documents],
        repeats=repeats,
    )
    define, objects, dumps = _bench.best_of(
        lambda: define_chain(environments), chain.pipelines, lambda: hand_texts(environments), repeats=repeats
    )
    print(
        f"  phases alone: define chain {define * 1e3:.1f} ms, chain.pipelines() {objects * 1e3:.1f} ms, "
        f"hand dicts + json.dumps {dumps * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
