"""Rendering cost: ``Pipeline.to_json()`` against a hand-written dict builder plus ``json.dumps``.

1,000 pipelines of 10 stages each (Deploy (Manifest) from an artifact with moniker and blue/green traffic
management, Manual Judgment, Wait), each with a git trigger and one expected artifact. The pipeline objects
are built before timing: this measures rendering only. The hand-written builder gets the same plain
arguments the objects were built from, builds the same dict and dumps it with the arguments
`spinpromote.codec.dumps` uses; the texts are asserted byte-identical. Targets: at most 1.3x indented
(``indent=2``, the default) and 2x compact, where the C encoder leaves the model's own cost exposed.

Run: ``python benchmarks/bench_render.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import json
from typing import Any, NamedTuple

import _bench  # before spinpromote: puts the checkout on sys.path

from spinpromote import (
    DeployManifest,
    ExpectedArtifact,
    GitHubFile,
    GitTrigger,
    ManualJudgment,
    Moniker,
    Pipeline,
    PipelineBuilder,
    TrafficManagement,
    Wait,
)

PIPELINES = 1000
STAGES = 10
TARGET_INDENTED = 1.3
TARGET_COMPACT = 2.0
CHUNKS = 10  # timed separately: short calls give a steadier best-of on a busy machine
APP = "shop"


class Args(NamedTuple):
    """Plain arguments of one pipeline, as a hand-written builder would take them."""

    id: str
    name: str
    slug: str
    path: str
    artifact_id: str
    stages: tuple[tuple[Any, ...], ...]


def plain_arguments(count: int) -> list[Args]:
    """The arguments of ``count`` pipelines; ids come from the library's own deterministic id functions."""
    from spinpromote.ids import expected_artifact_id, pipeline_id

    result = []
    for index in range(count):
        slug = f"service-{index}"
        stages: list[tuple[Any, ...]] = []
        for position in range(STAGES):
            env = ("dev", "staging", "prod", "dr")[position // 3]
            kind = position % 3
            if kind == 0:
                stages.append(("deploy", f"Deploy to {env}", f"k8s-{env}", f"{slug}-{env}", f"{slug}-{env}"))
            elif kind == 1:
                stages.append(("judge", f"Promote from {env}?", f"Check {slug} in {env}", ("promote", "rollback")))
            else:
                stages.append(("wait", f"Soak in {env}", 300 + position))
        name = f"Deliver {slug}"
        result.append(
            Args(
                id=pipeline_id(APP, name),
                name=name,
                slug=slug,
                path=f"deploy/{slug}.yml",
                artifact_id=expected_artifact_id(APP, f"{slug} manifest"),
                stages=tuple(stages),
            )
        )
    return result


def build_pipeline(args: Args) -> Pipeline:
    """The spinpromote objects for one pipeline (not timed)."""
    builder = PipelineBuilder(APP, args.name, id=args.id)
    artifact = builder.expect(
        ExpectedArtifact(
            id=args.artifact_id,
            display_name=f"{args.slug} manifest",
            match=GitHubFile(path=args.path, artifact_account="github"),
            default=GitHubFile(path=args.path, repo=f"acme/{args.slug}", version="main", artifact_account="github"),
        )
    )
    builder.trigger(
        GitTrigger(
            source="github", project="acme", slug=args.slug, branch="main", expected_artifact_ids=[args.artifact_id]
        )
    )
    for stage in args.stages:
        if stage[0] == "deploy":
            _, name, account, namespace, cluster = stage
            builder.then(
                DeployManifest(
                    name=name,
                    account=account,
                    namespace_override=namespace,
                    manifest_artifact_id=artifact.id,
                    moniker=Moniker(app=APP, cluster=cluster),
                    traffic_management=TrafficManagement.bluegreen([f"service {args.slug}"]),
                )
            )
        elif stage[0] == "judge":
            _, name, instructions, inputs = stage
            builder.then(ManualJudgment(name=name, instructions=instructions, judgment_inputs=inputs))
        else:
            _, name, seconds = stage
            builder.then(Wait(name=name, wait_time=seconds))
    return builder.build()


def hand_dict(args: Args) -> dict[str, Any]:
    """The same pipeline dict, built by hand from the plain arguments."""
    slug = args.slug
    artifact_id = args.artifact_id
    stages: list[dict[str, Any]] = []
    for number, stage in enumerate(args.stages, start=1):
        head: dict[str, Any]
        kind = stage[0]
        requisites = [str(number - 1)] if number > 1 else []
        if kind == "deploy":
            head = {
                "type": "deployManifest",
                "refId": str(number),
                "requisiteStageRefIds": requisites,
                "name": stage[1],
                "account": stage[2],
                "cloudProvider": "kubernetes",
                "manifestArtifactId": artifact_id,
                "source": "artifact",
                "namespaceOverride": stage[3],
                "moniker": {"app": APP, "cluster": stage[4]},
                "skipExpressionEvaluation": False,
                "trafficManagement": {
                    "enabled": True,
                    "options": {"enableTraffic": True, "services": [f"service {slug}"], "strategy": "bluegreen"},
                },
            }
        elif kind == "judge":
            head = {
                "type": "manualJudgment",
                "refId": str(number),
                "requisiteStageRefIds": requisites,
                "name": stage[1],
                "failPipeline": True,
                "instructions": stage[2],
                "judgmentInputs": [{"value": value} for value in stage[3]],
                "notifications": [],
            }
        else:
            head = {
                "type": "wait",
                "refId": str(number),
                "requisiteStageRefIds": requisites,
                "name": stage[1],
                "waitTime": stage[2],
            }
        stages.append(head)
    return {
        "id": args.id,
        "application": APP,
        "name": args.name,
        "keepWaitingPipelines": False,
        "limitConcurrent": True,
        "spelEvaluator": "v4",
        "triggers": [
            {
                "type": "git",
                "enabled": True,
                "expectedArtifactIds": [artifact_id],
                "source": "github",
                "project": "acme",
                "slug": slug,
                "branch": "main",
            }
        ],
        "expectedArtifacts": [
            {
                "id": artifact_id,
                "displayName": f"{slug} manifest",
                "matchArtifact": {"type": "github/file", "name": args.path, "artifactAccount": "github"},
                "defaultArtifact": {
                    "type": "github/file",
                    "name": args.path,
                    "version": "main",
                    "reference": f"https://api.github.com/repos/acme/{slug}/contents/{args.path}",
                    "artifactAccount": "github",
                },
                "useDefaultArtifact": True,
                "usePriorArtifact": False,
            }
        ],
        "parameterConfig": [],
        "notifications": [],
        "stages": stages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per side and chunk; the best counts")
    repeats = parser.parse_args().repeats

    arguments = plain_arguments(PIPELINES)
    pipelines = [build_pipeline(args) for args in arguments]

    def library_text(chunk: list[Pipeline], indent: int | None) -> list[str]:
        return [pipeline.to_json(indent=indent) for pipeline in chunk]

    def hand_indented(chunk: list[Args]) -> list[str]:
        return [json.dumps(hand_dict(args), ensure_ascii=False, indent=2, allow_nan=False) for args in chunk]

    def hand_compact(chunk: list[Args]) -> list[str]:
        return [
            json.dumps(hand_dict(args), ensure_ascii=False, separators=(",", ":"), allow_nan=False) for args in chunk
        ]

    assert library_text(pipelines, 2) == hand_indented(arguments), "indented texts differ"
    assert library_text(pipelines, None) == hand_compact(arguments), "compact texts differ"
    size = sum(len(text) for text in library_text(pipelines, 2))
    print(f"render {PIPELINES} pipelines x {STAGES} stages ({size / 1e6:.1f} MB indented); texts byte-identical")
    print(
        f"timed: rendering only (objects built beforehand), in {CHUNKS} chunks of {PIPELINES // CHUNKS} pipelines; "
        f"sum of each chunk's best of {repeats}; gc off while timing"
    )
    size_of_chunk = PIPELINES // CHUNKS
    pipeline_chunks = [pipelines[start : start + size_of_chunk] for start in range(0, PIPELINES, size_of_chunk)]
    argument_chunks = [arguments[start : start + size_of_chunk] for start in range(0, PIPELINES, size_of_chunk)]
    _bench.compare(
        "to_json() indent=2   vs dict + json.dumps",
        [lambda chunk=chunk: library_text(chunk, 2) for chunk in pipeline_chunks],
        [lambda chunk=chunk: hand_indented(chunk) for chunk in argument_chunks],
        repeats=repeats,
        target=TARGET_INDENTED,
        items=PIPELINES,
    )
    _bench.compare(
        "to_json(indent=None) vs dict + json.dumps",
        [lambda chunk=chunk: library_text(chunk, None) for chunk in pipeline_chunks],
        [lambda chunk=chunk: hand_compact(chunk) for chunk in argument_chunks],
        repeats=repeats,
        target=TARGET_COMPACT,
        items=PIPELINES,
    )
    _bench.compare(
        "to_dict() alone      vs dict alone       ",
        [lambda chunk=chunk: [pipeline.to_dict() for pipeline in chunk] for chunk in pipeline_chunks],
        [lambda chunk=chunk: [hand_dict(args) for args in chunk] for chunk in argument_chunks],
        repeats=repeats,
        items=PIPELINES,
    )


if __name__ == "__main__":
    main()
