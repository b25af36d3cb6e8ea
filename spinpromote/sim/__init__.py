"""spinpromote.sim: run promotion chains offline, as Spinnaker would.

A faithful model of the parts of Spinnaker that decide what a promotion does: front50's save rules, echo's
trigger matching, orca's artifact resolution, pipeline-trigger chaining, stage scheduling, judgments and a
SpEL subset, clouddriver's artifact fetch and image binding, and the git host and Docker registry a branch
or a tag resolves against. Every rule cites the Spinnaker source it mirrors; what is not modelled is said
in the execution's ``notes``, never guessed silently.

```pycon
>>> from spinpromote.sim import GitPush, Spinnaker
>>> spin = Spinnaker()
>>> _ = spin.save({"application": "demo", "name": "On push", "triggers": [{"type": "git", "enabled": True,
...     "source": "github", "project": "acme", "slug": "demo", "branch": "main"}],
...     "stages": [{"refId": "1", "type": "wait", "name": "Pause", "waitTime": 60}]})
>>> [run] = spin.send(GitPush(repo="acme/demo", branch="main", files={"k8s/app.yml": "kind: Deployment"}))
>>> spin.advance(60)
>>> spin.execution(run.id).status
'SUCCEEDED'

```
"""

from __future__ import annotations

from spinpromote.sim.errors import SimulationError, SpinnakerAnswer
from spinpromote.sim.events import DockerPush, Event, GitPush, HelmChartPush, JenkinsBuild, PubsubMessage, WebhookEvent
from spinpromote.sim.results import Deployment, Execution, Rollback, StageRun
from spinpromote.sim.spinnaker import Spinnaker

__all__ = [
    "Deployment",
    "DockerPush",
    "Event",
    "Execution",
    "GitPush",
    "HelmChartPush",
    "JenkinsBuild",
    "PubsubMessage",
    "Rollback",
    "SimulationError",
    "Spinnaker",
    "SpinnakerAnswer",
    "StageRun",
    "WebhookEvent",
]
