"""orca's orchestrations (Gate's ``POST /tasks``): ad-hoc jobs such as creating or updating an application.

Gate forwards the body to orca ``/ops`` and answers ``{"ref": "/tasks/<id>"}`` without waiting (gate
``TaskController.groovy:46-50``, ``TaskService.java:64-70``); orca makes one stage per ``job`` entry
(``OperationsController.groovy:375-380``) and runs them in order. ``GET /tasks/{id}`` answers orca's
``OrchestrationViewModel`` (``orca-web/.../model/OrchestrationViewModel.groovy:25-36``): RUNNING until the
simulator's next step, then SUCCEEDED, or TERMINAL with the failure in ``variables[key=exception]``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from spinpromote.sim.applications import Applications
from spinpromote.sim.clock import Clock, Ids
from spinpromote.sim.errors import SpinnakerAnswer

__all__ = ["Tasks"]

Json = dict[str, Any]

_APPLICATION_JOBS = ("createApplication", "updateApplication")  # both run UpsertApplicationTask


class Tasks:
    """Orchestrations by id. Use it through `spinpromote.sim.Spinnaker`.

    ```pycon
    >>> from spinpromote.sim import Spinnaker
    >>> spin = Spinnaker()
    >>> job = {"type": "createApplication", "application": {"name": "demo", "email": "a@example.com"}}
    >>> task_id = spin.submit_task({"application": "demo", "job": [job]})
    >>> spin.task_json(task_id)["status"]
    'RUNNING'
    >>> spin.settle()
    >>> spin.task_json(task_id)["status"]
    'SUCCEEDED'

    ```
    """

    def __init__(self, *, clock: Clock, ids: Ids, applications: Applications, log: Callable[[str], None]) -> None:
        self._clock = clock
        self._ids = ids
        self._applications = applications
        self._log = log
        self._tasks: dict[str, Json] = {}

    def submit(self, body: Mapping[str, Any], *, user: str = "anonymous") -> str:
        """Store the orchestration RUNNING and run its jobs on the next step; return its id."""
        jobs = body.get("job")
        if not isinstance(jobs, list) or not all(isinstance(job, Mapping) for job in jobs):
            raise SpinnakerAnswer(400, "A task needs a job: a list of objects, each with a type")  # our wording
        now = self._clock.now
        task: Json = {
            "id": self._ids.ulid(now),
            "name": body.get("description"),
            "application": body.get("application"),
            "status": "RUNNING",
            "variables": [],
            "steps": [],
            "buildTime": now,
            "startTime": now,
            "endTime": None,
        }
        self._tasks[task["id"]] = task
        self._clock.soon(lambda: self._run(task, [copy.deepcopy(dict(job)) for job in jobs], user))
        return str(task["id"])

    def _run(self, task: Json, jobs: list[Json], user: str) -> None:
        for job in jobs:
            task["variables"] += [{"key": key, "value": value} for key, value in job.items()]
            try:
                self._run_job(job, user)  # the authenticated user, not the job's display field
            except SpinnakerAnswer as failure:
                task["variables"].append({"key": "exception", "value": {"details": {"errors": [failure.message]}}})
                self._finish(task, "TERMINAL", failure.message)
                return
        self._finish(task, "SUCCEEDED")

    def _run_job(self, job: Json, user: str) -> None:
        kind = job.get("type")
        if kind in _APPLICATION_JOBS:
            application = job.get("application")
            self._applications.upsert(application if isinstance(application, Mapping) else {}, user=user)
            return
        # orca runs many more task types (clouddriver operations, ...); the simulator does not
        raise SpinnakerAnswer(400, f"task type not simulated: {kind!r}")

    def _finish(self, task: Json, status: str, error: str | None = None) -> None:
        task.update(status=status, endTime=self._clock.now)
        self._log(f"task {task['name'] or task['id']!r} {status}" + (f": {error}" if error else ""))

    def get(self, task_id: str) -> Json:
        """A copy of the orchestration; `SpinnakerAnswer` 404 when unknown."""
        task = self._tasks.get(task_id)
        if task is None:
            raise SpinnakerAnswer(404, f"Orchestration not found (id: {task_id})")  # the simulator's wording
        return copy.deepcopy(task)
