"""Cost at scale: ``validate()`` and ``to_svg()`` of one huge pipeline against parsing the same document.

Four shapes of 1,000, 10,000 and 100,000 stages: ``parallel`` (one stage, then every other one beside each
other after it), ``chained`` (each stage after the one before), ``reversed`` (the chain listed
downstream-first) and ``cyclic`` (the chain with its first stage also after its last). The stages repeat
a Wait that produces an expected artifact, a Deploy (Manifest) that requires it, and a Manual Judgment, so
that the artifact checks see real traffic (in the parallel shape every deploy looks for its artifact in a
sibling and gets an error). The baseline is ``Pipeline.from_json`` of the same text.

Targets: validate at most 3x parse, to_svg at most 10x parse; peak memory of validate (tracemalloc, MB)
growing linearly with the stages (the KB per stage stays flat); each 100,000-stage case (parsing,
validating and drawing it as timed here; the memory run under tracemalloc comes after) within 30 s.

Run: ``python benchmarks/bench_scale.py [--repeats N] [--sizes 1000,10000,100000]``
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import _bench  # before spinpromote: puts the checkout on sys.path

from spinpromote import Pipeline
from spinpromote.diagram import diagram

SHAPES = ("parallel", "chained", "reversed", "cyclic")
VALIDATE_TARGET = 3.0
SVG_TARGET = 10.0
SECONDS_PER_CASE = 30.0


def stage(index: int) -> dict[str, Any]:
    """The stage at ``index`` (refId ``index + 1``), without its requisiteStageRefIds."""
    ref = str(index + 1)
    if index % 3 == 0:
        artifact = {"id": f"image-{index}", "matchArtifact": {"type": "docker/image", "name": f"gcr.io/a/{index}"}}
        return {"type": "wait", "refId": ref, "name": f"Wait {index}", "waitTime": 30, "expectedArtifacts": [artifact]}
    if index % 3 == 1:
        return {
            "type": "deployManifest",
            "refId": ref,
            "name": f"Deploy {index}",
            "account": "prod",
            "cloudProvider": "kubernetes",
            "source": "text",
            "manifests": [{"kind": "Deployment", "metadata": {"name": f"app-{index}"}}],
            "moniker": {"app": "demo"},
            "requiredArtifactIds": [f"image-{index - 1}"],
        }
    return {"type": "manualJudgment", "refId": ref, "name": f"Approve {index}", "judgmentInputs": []}


def document(shape: str, count: int) -> dict[str, Any]:
    """A pipeline of ``count`` stages in the given shape."""
    stages = []
    for index in range(count):
        item = stage(index)
        if shape == "parallel":
            item["requisiteStageRefIds"] = ["1"] if index else []
        else:
            item["requisiteStageRefIds"] = [str(index)] if index else []
        stages.append(item)
    if shape == "reversed":
        stages.reverse()
    if shape == "cyclic":
        stages[0]["requisiteStageRefIds"] = [str(count)]
    return {"application": "demo", "name": f"{shape} {count}", "stages": stages}


def peak_mb(function: Callable[[], Any]) -> tuple[float, Any]:
    """The peak memory (MB) ``function`` allocates while it runs, and what it returns."""
    tracemalloc.start()
    try:
        result = function()
        return tracemalloc.get_traced_memory()[1] / 1e6, result
    finally:
        tracemalloc.stop()


def measure(shape: str, count: int, repeats: int) -> None:
    text = json.dumps(document(shape, count))
    started = time.perf_counter()
    pipeline = Pipeline.from_json(text)

    def parse() -> None:
        Pipeline.from_json(text)

    def validate() -> None:
        pipeline.validate()

    def svg() -> None:
        diagram([pipeline]).to_svg()

    warmup = 1 if count < 100_000 else 0
    parse_s, validate_s, svg_s = _bench.best_of(parse, validate, svg, repeats=repeats, warmup=warmup)
    elapsed = time.perf_counter() - started  # the case: parse, validate and to_svg, each timed as above
    memory, problems = peak_mb(pipeline.validate)
    validate_ratio, svg_ratio = validate_s / parse_s, svg_s / parse_s
    verdicts = [
        "OK" if validate_ratio <= VALIDATE_TARGET else "MISSED",
        "OK" if svg_ratio <= SVG_TARGET else "MISSED",
        "OK" if elapsed <= SECONDS_PER_CASE else "MISSED",
    ]
    print(
        f"{shape:>8} {count:>7}: validate {validate_ratio:.2f}x {verdicts[0]}, to_svg {svg_ratio:.2f}x {verdicts[1]}"
        f" (parse {parse_s * 1e3:.0f} ms, validate {validate_s * 1e3:.0f} ms, to_svg {svg_s * 1e3:.0f} ms);"
        f" validate peak {memory:.1f} MB = {memory * 1e3 / count:.2f} KB/stage; {len(problems)} problems;"
        f" case {elapsed:.1f} s {verdicts[2]}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side; the best counts")
    parser.add_argument("--sizes", default="1000,10000,100000", help="stage counts, comma-separated")
    options = parser.parse_args()
    print(f"targets: validate <= {VALIDATE_TARGET:g}x parse, to_svg <= {SVG_TARGET:g}x parse, case <= 30 s")
    for count in (int(size) for size in options.sizes.split(",")):
        for shape in SHAPES:
            measure(shape, count, options.repeats if count < 100_000 else 1)


if __name__ == "__main__":
    main()
