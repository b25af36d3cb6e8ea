"""Small builders for simulator tests: wire-format pipelines and the seed chain."""

from __future__ import annotations

import runpy
from typing import Any

from spinpromote import PromotionChain
from tests.conftest import ROOT

APP = "demo"
MANIFEST = (
    "kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n"
    "        - name: web\n          image: gcr.io/acme/web:v1\n"
)


def seed_chain() -> PromotionChain:
    """The seed chain, exactly as examples/artifact_promotion.py defines it."""
    chain = runpy.run_path(str(ROOT / "examples" / "artifact_promotion.py"))["chain"]
    assert isinstance(chain, PromotionChain)
    return chain


def pipeline(name: str, *stages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A pipeline document; stages without refId are numbered and chained in order."""
    numbered = []
    for index, stage in enumerate(stages, start=1):
        stage = dict(stage)
        stage.setdefault("refId", str(index))
        stage.setdefault("requisiteStageRefIds", [str(index - 1)] if index > 1 else [])
        stage.setdefault("name", f"{stage['type']} {index}")
        numbered.append(stage)
    return {"application": APP, "name": name, "id": f"id-{name}", "stages": numbered, "triggers": [], **fields}


def wait(name: str, seconds: int = 0, **fields: Any) -> dict[str, Any]:
    return {"type": "wait", "name": name, "waitTime": seconds, **fields}


def webhook(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "webhook", "name": name, "url": "https://ci.example.com/hook", **fields}


def judgment(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "manualJudgment", "name": name, "failPipeline": True, "judgmentInputs": [], **fields}


def github_file(
    path: str = "k8s/web.yml", version: str | None = None, repo: str = "acme/demo", **fields: Any
) -> dict[str, Any]:
    artifact = {
        "type": "github/file",
        "name": path,
        "reference": f"https://api.github.com/repos/{repo}/contents/{path}",
    }
    if version is not None:
        artifact["version"] = version
    return {**artifact, **fields}
