"""The simulator's surface: deterministic, light to import, every public name explained with an example."""

from __future__ import annotations

import inspect
import subprocess
import sys

import spinpromote.sim
from spinpromote.sim import GitPush, Spinnaker
from tests.conftest import ROOT
from tests.sim._build import seed_chain


def test_import_spinpromote_does_not_import_the_simulator_or_requests() -> None:
    """`import spinpromote` stays light: neither spinpromote.sim nor requests is loaded."""
    script = "import sys, spinpromote; print(sorted(m for m in ('requests', 'spinpromote.sim') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_the_simulator_does_not_import_requests() -> None:
    """The simulator is offline: it needs no HTTP library."""
    script = "import sys, spinpromote.sim; print('requests' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_every_public_name_has_an_example() -> None:
    """Classes and functions in spinpromote.sim.__all__ carry a >>> example (run by tests/test_docstrings.py)."""
    missing = [
        name
        for name in spinpromote.sim.__all__
        if (inspect.isclass(getattr(spinpromote.sim, name)) or inspect.isfunction(getattr(spinpromote.sim, name)))
        and ">>>" not in (getattr(spinpromote.sim, name).__doc__ or "")
    ]
    assert missing == []
    assert spinpromote.sim.__all__ == sorted(spinpromote.sim.__all__)


def scenario() -> tuple[list[str], list[str]]:
    spin = Spinnaker()
    spin.save(seed_chain())
    spin.send(GitPush(repo="acme/demo", files={"manifests/demo.yml": "kind: Deployment\n"}))
    spin.settle()
    judgement = spin.executions("artifact-promotion-demo", pipeline="Staging Judgement")[-1]
    spin.judge(judgement, "Staging Judgement", "continue")
    spin.settle()
    return spin.timeline(), [e.id for e in spin.executions("artifact-promotion-demo")]


def test_same_scenario_same_ids_and_timeline() -> None:
    """Ids, commits and event order are derived deterministically: two runs are identical."""
    assert scenario() == scenario()


def test_git_host_and_registry_resolve_refs() -> None:
    """Branches move with commits, tags and commit ids do not; a re-pushed tag moves to a new digest."""
    spin = Spinnaker()
    first = spin.git.commit("acme/demo", branch="main", files={"a": "1"})
    spin.git.tag("acme/demo", "v1", "main")
    second = spin.git.commit("acme/demo", branch="main", files={"a": "2"})
    assert (spin.git.resolve("acme/demo", "main"), spin.git.resolve("acme/demo", "v1")) == (second, first)
    assert spin.git.read("acme/demo", first, "a") == "1" and spin.git.resolve("acme/other", first) is None
    one = spin.registry.push("gcr.io", "acme/web", "v2")
    two = spin.registry.push("gcr.io", "acme/web", "v2")
    assert one.digest != two.digest == spin.registry.digest("gcr.io", "acme/web", "v2")
