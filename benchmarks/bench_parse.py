"""Parsing cost: ``Pipeline.from_json(text)`` for every corpus document against ``json.loads(text)`` alone.

The ratio says what the typed, checked, lossless model costs on top of reading the JSON. Target: at most
9.2x, that is 1.5x the 6.11x measured before the codec moved onto ``cattrs.gen`` (same script, same
machine). The corpus is ``../shared/corpus`` beside the checkout (or ``--corpus DIR``).

Run: ``python benchmarks/bench_parse.py [--repeats N] [--corpus DIR]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _bench  # before spinpromote: puts the checkout on sys.path

from spinpromote import Pipeline

LOOPS = 20  # passes over the whole corpus per timed run, so a run lasts long enough to time well
TARGET = 9.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per side; the best counts")
    parser.add_argument("--corpus", type=Path, default=_bench.REPO.parent / "shared" / "corpus")
    options = parser.parse_args()

    paths = sorted(options.corpus.glob("*.json"))
    if not paths:
        raise SystemExit(f"no corpus documents in {options.corpus}")
    texts = [path.read_text(encoding="utf-8") for path in paths]
    for path, text in zip(paths, texts, strict=True):
        document = json.loads(text)
        assert json.dumps(Pipeline.from_json(text).to_dict()) == json.dumps(document), f"{path.name} differs"

    def library() -> None:
        for _ in range(LOOPS):
            for text in texts:
                Pipeline.from_json(text)

    def baseline() -> None:
        for _ in range(LOOPS):
            for text in texts:
                json.loads(text)

    size = sum(len(text.encode()) for text in texts)
    print(f"parse {len(texts)} corpus documents ({size / 1e3:.0f} kB) x {LOOPS} passes; best of {options.repeats}")
    _bench.compare(
        "Pipeline.from_json vs json.loads",
        library,
        baseline,
        repeats=options.repeats,
        target=TARGET,
        items=LOOPS * len(texts),
    )

    print("per document (best of 5 x 50 parses):")
    rows = []
    for path, text in zip(paths, texts, strict=True):
        model_time, json_time = _bench.best_of(
            lambda text=text: [Pipeline.from_json(text) for _ in range(50)],
            lambda text=text: [json.loads(text) for _ in range(50)],
            repeats=5,
        )
        rows.append((model_time / json_time, path.stem, len(text), model_time / 50))
    for ratio, stem, length, seconds in sorted(rows, reverse=True):
        print(f"  {ratio:5.2f}x  {seconds * 1e6:8.1f} us  {length:7d} B  {stem}")


if __name__ == "__main__":
    main()
