"""Shared by the bench_*.py scripts: the checkout on sys.path, and best-of-N timing after a warm-up.

Import it before spinpromote (isort keeps it in the third-party block, above first-party imports), so the
scripts run from a plain checkout: ``python benchmarks/bench_x.py``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def best_of(*functions: Callable[[], Any], repeats: int, warmup: int = 1, cpu: bool = False) -> list[float]:
    """For each function, the fastest of ``repeats`` timed calls (seconds) after ``warmup`` untimed ones.

    The functions take turns (a, b, a, b, ...) so that drift in machine load hits them alike; like ``timeit``,
    the garbage collector is off while a call is timed and runs between calls. The clock is
    ``time.perf_counter``, or with ``cpu=True`` ``time.process_time`` (this process's CPU time, which time
    spent waiting for a busy machine does not inflate).
    """
    clock = time.process_time if cpu else time.perf_counter
    for function in functions:
        for _ in range(warmup):
            function()
    best = [float("inf")] * len(functions)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for index, function in enumerate(functions):
                gc.collect()
                start = clock()
                function()
                best[index] = min(best[index], clock() - start)
    finally:
        if enabled:
            gc.enable()
    return best


Work = Callable[[], Any] | Sequence[Callable[[], Any]]


def best_total(library: Work, baseline: Work, *, repeats: int, cpu: bool = False) -> tuple[float, float]:
    """Best-of-``repeats`` times of both sides; a side given as chunks is the sum of each chunk's best time.

    Short chunks make the best-of estimate robust on a busy machine: a 10 ms call is far more likely than a
    100 ms one to run once without being preempted.
    """
    library_chunks = [library] if callable(library) else list(library)
    baseline_chunks = [baseline] if callable(baseline) else list(baseline)
    if len(library_chunks) != len(baseline_chunks):
        raise ValueError("both sides need the same number of chunks")
    library_total = baseline_total = 0.0
    for library_chunk, baseline_chunk in zip(library_chunks, baseline_chunks, strict=True):
        library_time, baseline_time = best_of(library_chunk, baseline_chunk, repeats=repeats, cpu=cpu)
        library_total += library_time
        baseline_total += baseline_time
    return library_total, baseline_total


def compare(
    label: str,
    library: Work,
    baseline: Work,
    *,
    repeats: int,
    target: float | None = None,
    items: int = 1,
) -> float:
    """Time both (best of ``repeats``, taking turns), print the ratio library / baseline, and return it.

    The ratio that counts is wall-clock (``perf_counter``). The CPU-time ratio is printed beside it as a
    cross-check: on a quiet machine the two agree; when they do not, other processes disturbed the run.
    """
    library_time, baseline_time = best_total(library, baseline, repeats=repeats)
    library_cpu, baseline_cpu = best_total(library, baseline, repeats=repeats, cpu=True)
    ratio = library_time / baseline_time
    verdict = "" if target is None else f"  {'OK' if ratio <= target else 'MISSED'} (target <= {target:.2f}x)"
    per = ""
    if items > 1:
        per = f", {library_time / items * 1e6:.1f} vs {baseline_time / items * 1e6:.1f} us per item"
    print(
        f"{label}: ratio {ratio:.2f}x{verdict}\n"
        f"    spinpromote {library_time * 1e3:.1f} ms, baseline {baseline_time * 1e3:.1f} ms{per}; "
        f"cross-check, CPU-time ratio {library_cpu / baseline_cpu:.2f}x"
    )
    return ratio
