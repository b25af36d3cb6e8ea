"""Simulation cost: the seed scenario end to end in ``spinpromote.sim``, against rendering the same chain to JSON.

Timed (the target, at most 20x): a fresh ``Spinnaker()``, saving the seed chain (examples/artifact_promotion.py),
a git push of the manifest, ``settle()``, judging *Staging Judgement* ``continue`` and ``settle()`` again:
staging and production deployed. The baseline is rendering the same chain to JSON text
(``chain.pipelines()`` and ``to_json()`` of each), the step a user runs before saving anyway.

Also (untargeted, to show it grows linearly): a chain of N environments with a judgment between each, pushed
once and judged through to the last environment, at N = 10 and N = 100, reported as time per environment.

Run: ``python benchmarks/bench_sim.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import runpy
from typing import Any

import _bench  # before spinpromote: puts the checkout on sys.path

from spinpromote import ExpectedArtifact, GitHubFile, GitTrigger, PromotionChain
from spinpromote.sim import GitPush, Spinnaker

TARGET = 20.0
SEED = _bench.REPO / "examples" / "artifact_promotion.py"
MANIFEST = (
    "kind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n"
    "        - image: gcr.io/acme/shop:v1\n"
)
PUSH = GitPush(repo="acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment\n# v2\n"})


def seed_scenario(chain: PromotionChain) -> Spinnaker:
    spin = Spinnaker()
    spin.save(chain)
    spin.send(PUSH)
    spin.settle()
    (judgement,) = spin.executions("artifact-promotion-demo", pipeline="Staging Judgement")
    spin.judge(judgement, "Staging Judgement", "continue")
    spin.settle()
    return spin


def render(chain: PromotionChain) -> list[str]:
    return [pipeline.to_json() for pipeline in chain.pipelines()]


def long_chain(environments: int) -> PromotionChain:
    chain = PromotionChain(
        "shop",
        artifact=ExpectedArtifact(
            display_name="manifest",
            match=GitHubFile(path="k8s/shop.yml", artifact_account="github"),
            default=GitHubFile(path="k8s/shop.yml", repo="acme/shop", version="main", artifact_account="github"),
        ),
    ).trigger(GitTrigger(source="github", project="acme", slug="shop", branch="main"))
    for index in range(environments):
        chain = chain.deploy(f"env{index:03d}", account=f"k8s-{index:03d}")
        if index < environments - 1:
            chain = chain.judge(f"Approve env{index:03d}")
    return chain


def judged_through(documents: list[dict[str, Any]], environments: int) -> Spinnaker:
    spin = Spinnaker()
    spin.save(documents)
    spin.send(GitPush(repo="acme/shop", branch="main", files={"k8s/shop.yml": MANIFEST}))
    spin.settle()
    for index in range(environments - 1):
        gate = f"Approve env{index:03d}"
        (waiting,) = spin.executions("shop", pipeline=gate)
        spin.judge(waiting, gate, "continue")
        spin.settle()
    return spin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per side; the best counts")
    repeats = parser.parse_args().repeats

    chain = runpy.run_path(str(SEED))["chain"]
    spin = seed_scenario(chain)
    staging, prod = spin.deployments()
    assert prod.account == "prod", "the scenario did not reach production"
    assert prod.content == staging.content, "production did not deploy what staging ran"
    print(f"seed scenario: push, staging, judgment, production; best of {repeats}, gc off while timing")
    _bench.compare(
        "simulate seed end to end vs render the chain to JSON",
        lambda: seed_scenario(chain),
        lambda: render(chain),
        repeats=repeats,
        target=TARGET,
    )
    print("judged through, one environment after another (untargeted; linear growth keeps the per-env time flat):")
    per_env = {}
    for environments in (10, 100):
        documents = long_chain(environments).render()
        done = judged_through(documents, environments)
        assert len(done.deployments()) == environments, "not every environment deployed"
        (best,) = _bench.best_of(lambda d=documents, n=environments: judged_through(d, n), repeats=max(3, repeats // 3))
        per_env[environments] = best / environments
        each = per_env[environments] * 1e3
        print(f"  {environments:3d} environments: {best * 1e3:.1f} ms, {each:.2f} ms per environment")
    print(f"  per-environment time at 100 / at 10: {per_env[100] / per_env[10]:.2f}x")


if __name__ == "__main__":
    main()
