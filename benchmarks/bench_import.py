"""Import cost: ``import spinpromote`` against ``import cattrs``, each in fresh interpreters.

Each run is a new ``python -c`` process with the same flags and environment; the snippet times the statement
itself with ``time.perf_counter`` (interpreter start-up excluded) and the whole process is timed too. Runs
alternate between the sides; the median of each side counts. Target: at most 1.2x. It also checks that
``requests`` is not imported (the Gate client is imported only on demand).

``import spinpromote`` is lazy (PEP 562): names load on first use. So that the figure is not mistaken for
the cost of using the library, the script also times ``from spinpromote import Pipeline, PromotionChain``
and then a first render and parse (target: at most 2x ``import cattrs``), and lists the modules each adds,
slowest first (``-X importtime``).

Run: ``python benchmarks/bench_import.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import _bench  # before spinpromote: puts the checkout on sys.path

TARGET = 1.2
FIRST_USE_TARGET = 2.0
SNIPPET = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "{statement}\n"
    "elapsed = time.perf_counter() - start\n"
    "print(elapsed, 'requests' in sys.modules, len(sys.modules))\n"
)
IMPORT = "import spinpromote"
BASELINE = "import cattrs"
FIRST_USE = {
    "from spinpromote import Pipeline, PromotionChain": "from spinpromote import Pipeline, PromotionChain",
    "... + first to_json() and from_json() of a pipeline": (
        "from spinpromote import Pipeline, PromotionChain, Wait; "
        "Pipeline.from_json(Pipeline(application='a', name='b', stages=[Wait(wait_time=1)]).to_json())"
    ),
}


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_bench.REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # both sides read cached bytecode, as users' imports do
    return env


Sample = tuple[float, float, bool, int]


def run(statement: str, env: dict[str, str]) -> Sample:
    """(statement seconds, process seconds, requests imported?, modules loaded) in one fresh interpreter."""
    start = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", SNIPPET.format(statement=statement)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    process = time.perf_counter() - start
    elapsed, requests_loaded, modules = output.split()
    return float(elapsed), process, requests_loaded == "True", int(modules)


def medians(statements: list[str], runs: int, env: dict[str, str]) -> list[tuple[float, float, bool, int]]:
    """Per statement: median statement time, median process time, requests ever imported, modules loaded."""
    for _ in range(2):  # warm-up: bytecode caches written, files in the page cache
        for statement in statements:
            run(statement, env)
    samples: list[list[Sample]] = [[] for _ in statements]
    for _ in range(runs):
        for index, statement in enumerate(statements):
            samples[index].append(run(statement, env))
    return [
        (
            statistics.median(s[0] for s in side),
            statistics.median(s[1] for s in side),
            any(s[2] for s in side),
            side[0][3],
        )
        for side in samples
    ]


def self_times(statement: str, env: dict[str, str]) -> dict[str, int]:
    """Module -> self import time in microseconds, from ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    times: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        times[name.strip()] = int(self_us)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per side; the median counts")
    runs = parser.parse_args().runs
    env = environment()

    ours, theirs, *first_use = medians([IMPORT, BASELINE, *FIRST_USE.values()], runs, env)
    print(f"'requests' in sys.modules after `{IMPORT}`: {ours[2]}")
    assert not ours[2], "import spinpromote imported requests"
    assert not any(sample[2] for sample in first_use), "first use of spinpromote imported requests"

    ratio = ours[0] / theirs[0]
    verdict = "OK" if ratio <= TARGET else "MISSED"
    print(f"median of {runs} fresh interpreters each, `{sys.executable} -c`, same flags and environment")
    print(
        f"`{IMPORT}` vs `{BASELINE}`: ratio {ratio:.2f}x  {verdict} (target <= {TARGET:.2f}x)\n"
        f"    statement {ours[0] * 1e3:.1f} ms ({ours[3]} modules) vs {theirs[0] * 1e3:.1f} ms ({theirs[3]} modules); "
        f"whole process {ours[1] * 1e3:.1f} ms vs {theirs[1] * 1e3:.1f} ms ({ours[1] / theirs[1]:.2f}x)"
    )
    print("what using the library costs (lazy imports load on first use):")
    for index, (label, sample) in enumerate(zip(FIRST_USE, first_use, strict=True)):
        first = sample[0] / theirs[0]
        target = ""
        if index == len(FIRST_USE) - 1:
            target = f"  {'OK' if first <= FIRST_USE_TARGET else 'MISSED'} (target <= {FIRST_USE_TARGET:.2f}x)"
        print(
            f"  `{label}`: {sample[0] * 1e3:.1f} ms ({sample[3]} modules), {first:.2f}x "
            f"`{BASELINE}`{target}; whole process {sample[1] * 1e3:.1f} ms"
        )

    baseline_modules = self_times(BASELINE, env)
    for label, statement in {IMPORT: IMPORT, **FIRST_USE}.items():
        added = {name: micros for name, micros in self_times(statement, env).items() if name not in baseline_modules}
        top = sorted(added.items(), key=lambda item: item[1], reverse=True)[:6]
        listed = ", ".join(f"{name} {micros / 1e3:.1f}" for name, micros in top)
        print(f"  modules `{label}` adds beyond cattrs: {len(added)}, {sum(added.values()) / 1e3:.1f} ms; {listed}")


if __name__ == "__main__":
    main()
