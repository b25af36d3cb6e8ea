"""`Spinnaker`: one simulated installation (front50, echo, orca, clouddriver's fetch, the artifact stores) on
a simulated clock. It is the state FakeGate serves, and what ``spinpromote simulate`` prints.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import attrs

from spinpromote.sim import cron, echo
from spinpromote.sim.applications import Applications
from spinpromote.sim.clock import START, Clock, Ids
from spinpromote.sim.errors import SimulationError, SpinnakerAnswer
from spinpromote.sim.events import DockerPush, Event, GitPush
from spinpromote.sim.front50 import Front50
from spinpromote.sim.orca import COMPLETE, Orca
from spinpromote.sim.resolution import all_artifacts
from spinpromote.sim.results import Deployment, Execution, Rollback
from spinpromote.sim.stages import SCRIPTABLE
from spinpromote.sim.stores import DockerRegistry, GitHost
from spinpromote.sim.tasks import Tasks

__all__ = ["Spinnaker"]

Json = dict[str, Any]


def _documents(definition: Any) -> list[Json]:
    """Wire-format documents from a PromotionChain, a Pipeline, a dict, or a list of them."""
    if isinstance(definition, Mapping):
        return [dict(definition)]
    if hasattr(definition, "render") and callable(definition.render):
        return list(definition.render())
    if hasattr(definition, "to_dict") and callable(definition.to_dict):
        return [definition.to_dict()]
    if isinstance(definition, (list, tuple)):
        return [document for item in definition for document in _documents(item)]
    raise TypeError(
        "save() takes a PromotionChain, a Pipeline, a pipeline dict, or a list of them, "
        f"not {type(definition).__name__}"
    )


class Spinnaker:
    """One simulated Spinnaker installation: save pipelines, send events, run, judge, and read what happened.

    Nothing sleeps: ``settle()`` runs everything due now (cascades included) and ``advance(timedelta)`` moves
    the clock, running what falls due on the way (windows, waits, cron, judgment timeouts).

    ```pycon
    >>> import runpy
    >>> chain = runpy.run_path("examples/artifact_promotion.py")["chain"]
    >>> spin = Spinnaker()
    >>> _ = spin.save(chain)
    >>> started = spin.send(GitPush(repo="acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment"}))
    >>> spin.settle()
    >>> [e.pipeline_name for e in started], spin.executions("artifact-promotion-demo")[-1].status
    (['Deploy to Staging'], 'RUNNING')

    ```

    For FakeGate the operations speak Gate's language; each refusal raises `SpinnakerAnswer` carrying the
    status and message Gate answers with:

    - ``POST /pipelines?staleCheck=``: `save_pipeline` (the stored document; Gate answers 200, empty body)
    - ``GET /applications/{app}/pipelineConfigs[/{name}]``: `pipelines`, `pipeline`
    - ``DELETE /pipelines/{app}/{name}``: `delete` (no match is still 200)
    - ``POST /pipelines/{app}/{nameOrId}``: `trigger` (the execution id; Gate answers 202 ``{"ref":
      "/pipelines/<id>"}``; a failure at start is a 400 whose ``execution_id`` names the stored execution)
    - ``GET /pipelines/{id}``: `execution_json` (orca's execution JSON; 404 when unknown)
    - ``PATCH /pipelines/{id}/stages/{stageId}``: `patch_stage` (returns the execution at once; the judgment
      applies on the next `step` or `settle`, as orca's does)
    - ``PUT /pipelines/{id}/cancel``: `cancel` (CANCELED on the next step)
    - ``GET /applications/{app}/pipelines`` and ``GET /executions``: `list_executions`, `executions_of_configs`
    - ``GET /applications/{app}``: `application`; ``POST /tasks``: `submit_task`; ``GET /tasks/{id}``: `task_json`

    Between requests a server calls `settle` (or `step` for one action at a time); time moves only through
    `advance`, never by itself.
    """

    def __init__(
        self,
        *,
        outcomes: Mapping[str, str] | None = None,
        stale_check: bool = False,
        roles: Mapping[str, Iterable[str]] | None = None,
        start: datetime = START,
        artifact_accounts: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """``outcomes`` scripts stages by name (``{"Smoke tests": "TERMINAL"}``); ``stale_check=True`` is a
        front50 whose operator enabled ``controller.pipeline.save.stale-check-enabled``; ``roles`` maps users to
        their roles and turns judgment authorization on (as Fiat would); ``start`` is an aware datetime;
        ``artifact_accounts`` maps clouddriver's artifact accounts to the types each handles
        (``{"github": ["github/file"]}``) and turns the account check of every fetch on (by default any
        account is accepted, with a note on the execution)."""
        for name, types in (artifact_accounts or {}).items():
            if isinstance(types, str):
                raise ValueError(f"artifact account {name!r}: give a list of artifact types, not {types!r}")
        for name, status in (outcomes or {}).items():
            if status not in SCRIPTABLE:
                raise ValueError(f"outcome of {name!r} must be one of {', '.join(SCRIPTABLE)}, not {status!r}")
        self.clock = Clock(start)
        self._start = self.clock.now
        self.ids = Ids()
        self.git = GitHost(self.ids)
        self.registry = DockerRegistry(self.ids)
        self.front50 = Front50(self.ids, now=lambda: self.clock.now, stale_check=stale_check)
        self.applications = Applications(now=lambda: self.clock.now)
        self._log: list[tuple[int, str]] = []
        self.tasks = Tasks(clock=self.clock, ids=self.ids, applications=self.applications, log=self._record)
        self.orca = Orca(
            clock=self.clock,
            ids=self.ids,
            front50=self.front50,
            git=self.git,
            registry=self.registry,
            outcomes=outcomes or {},
            roles=roles,
            log=self._record,
            artifact_accounts=artifact_accounts,
        )
        self._cron_checked = self.clock.now
        self._crons_skipped: set[tuple[str, str]] = set()

    def _record(self, text: str) -> None:
        self._log.append((self.clock.now, text))

    @property
    def now(self) -> datetime:
        """The simulated time, an aware UTC datetime."""
        return self.clock.datetime

    # -- front50 ----------------------------------------------------------------------------------------

    def save(self, definition: Any) -> list[Json]:
        """Save a PromotionChain, a Pipeline, a dict, or a list of them, as Gate's ``POST /pipelines`` does.

        Returns the stored documents; a refused save raises `SpinnakerAnswer` with front50's message.
        """
        return [self.save_pipeline(document) for document in _documents(definition)]

    def save_pipeline(self, document: Mapping[str, Any], *, stale_check: bool = False, user: str = "anonymous") -> Json:
        """Save one pipeline document (``POST /pipelines?staleCheck=``); return the stored document."""
        stored = self.front50.save(document, stale_check=stale_check, user=user)
        self._record(f"saved {stored['application']}/{stored['name']!r}")
        return stored

    def pipelines(self, application: str, *, name_filter: str | None = None) -> list[Json]:
        """The application's pipeline configs (``GET /applications/{app}/pipelineConfigs?pipelineNameFilter=``)."""
        return self.front50.list(application, name_filter=name_filter)

    def pipeline(self, application: str, name: str) -> Json | None:
        """One config by name (exact), else by id (``GET /applications/{app}/pipelineConfigs/{name}``)."""
        return self.front50.get(application, name)

    def delete(self, application: str, name: str) -> bool:
        """Delete a config by name, ignoring case (``DELETE /pipelines/{app}/{name}``); False when none matched."""
        return self.front50.delete(application, name)

    # -- events and runs --------------------------------------------------------------------------------

    def send(self, event: Event) -> list[Execution]:
        """Deliver an event to echo (a GitPush commits first, a DockerPush pushes first); return what it started."""
        sha = digest = None
        if isinstance(event, GitPush):
            sha = self.git.commit(event.repo, branch=event.branch, files=event.files)
            self._record(f"git push {event.repo}@{event.branch} {sha[:7]} ({', '.join(event.files)})")
        elif isinstance(event, DockerPush):
            digest = self.registry.push(event.registry, event.repository, event.tag).digest
            self._record(f"docker push {event.image}")
        else:
            self._record(f"{type(event).__name__} received")
        notes: list[str] = []
        fired = list(echo.fire(list(self.front50), event, sha=sha, digest=digest, notes=notes))
        for note in notes:
            self._record(f"echo: {note}")
        if not fired:
            self._record("echo: no trigger matched")
        return [
            self._record_of(
                self.orca.orchestrate(f.pipeline, {**f.trigger, "eventId": self.ids.uuid("event")}, f.artifacts)
            )
            for f in fired
        ]

    def trigger(
        self, application: str, name_or_id: str, body: Mapping[str, Any] | None = None, *, user: str = "anonymous"
    ) -> str:
        """Start a pipeline as Gate's ``POST /pipelines/{app}/{nameOrId}``: the body is the trigger; return the id.

        Raises `SpinnakerAnswer`: 404 when no such pipeline, 400 for a missing required parameter or a failure at
        start (then the TERMINAL execution is stored, and its id is on the error as ``execution_id``).
        """
        prefix = f"Unable to trigger pipeline (application: {application}, pipelineNameOrId: {name_or_id}). Error: "
        config = self.front50.get(application, name_or_id)
        if config is None:
            raise SpinnakerAnswer(404, f"{prefix}Pipeline configuration not found (nameOrId: {name_or_id})")
        trigger: Json = {"type": "manual", "user": user, "notifications": [], **dict(body or {})}
        given = trigger.get("parameters") or {}
        for parameter in config.get("parameterConfig") or []:
            if not isinstance(parameter, Mapping):
                continue  # front50 stores it unvalidated; orca's defaults skip it too (Orca.orchestrate)
            name = parameter.get("name")
            if parameter.get("required") and name not in given and parameter.get("default") in (None, ""):
                raise SpinnakerAnswer(400, f"{prefix}Required parameter {name} is missing")  # PipelineService.groovy
        execution = self._orchestrate(self.front50.by_id(config["id"]) or config, trigger)
        if execution["status"] == "TERMINAL" and execution.get("canceledBy") == "system":
            reason = str(execution["cancellationReason"]).removeprefix("Failed on startup: ")
            raise SpinnakerAnswer(400, prefix + reason, execution_id=execution["id"])
        return str(execution["id"])

    def trigger_v2(
        self, application: str, name_or_id: str, body: Mapping[str, Any] | None = None, *, user: str = "anonymous"
    ) -> str:
        """Start a pipeline as Gate's ``POST /pipelines/v2/{app}/{nameOrId}`` does, through echo; return the id
        Gate's ``ref`` names. Never raises: an unknown or disabled pipeline starts nothing (the id then names no
        execution), and a failure at start is only the stored TERMINAL execution.

        ```pycon
        >>> spin = Spinnaker()
        >>> _ = spin.save({"application": "demo", "name": "off", "disabled": True})
        >>> ref = spin.trigger_v2("demo", "off")
        >>> spin.executions("demo")
        []

        ```
        """
        # ManualEventHandler.java:189-193: not disabled, application equal, name or id equal (case-sensitive)
        config = next(
            (
                p
                for p in self.front50
                if not p.get("disabled")
                and p.get("application") == application
                and name_or_id in (p.get("name"), p.get("id"))
            ),
            None,
        )
        if config is None:
            self._record(f"echo: manual trigger of {application}/{name_or_id}: no enabled pipeline; nothing started")
            return self.ids.ulid(self.clock.now)
        trigger: Json = {"type": "manual", "user": user, "notifications": [], **dict(body or {})}
        return str(self._orchestrate(config, trigger)["id"])

    def _orchestrate(self, config: Json, trigger: Json) -> Json:
        """orca's ``/orchestrate`` for a manual trigger: attach the parent execution, then start."""
        parent_id = trigger.get("parentPipelineId")
        # OperationsController.groovy:288-304: only a parentPipelineId naming an existing execution attaches it;
        # its artifacts are received, as a pipeline trigger would receive them (resolved only through
        # expectedArtifactIds or default/prior flags). An unknown id is ignored.
        parent = self.orca.executions.get(str(parent_id)) if parent_id else None
        if parent is not None:
            trigger.update(
                parentExecution=_copy_execution(parent),
                parentStatus=parent["status"],
                parentPipelineName=parent["name"],
                parentPipelineApplication=trigger.get("parentPipelineApplication") or parent["application"],
                isPipeline=True,
                receivedArtifacts=all_artifacts(parent),
            )
        execution = self.orca.orchestrate(config, trigger)
        if parent_id and parent is None:
            self.orca.note(execution, f"parentPipelineId {parent_id!r} names no execution: started without a parent")
        return execution

    def run(
        self,
        application: str,
        pipeline_name: str,
        artifacts: Iterable[Any] = (),
        parameters: Mapping[str, Any] | None = None,
        *,
        user: str = "anonymous",
    ) -> Execution:
        """Start a pipeline by hand, as Deck or ``GateClient.trigger`` would; a failure at start is returned as
        the TERMINAL execution orca stores (its ``error`` says why)."""
        body = {
            "parameters": dict(parameters or {}),
            "artifacts": [a.to_dict() if hasattr(a, "to_dict") else dict(a) for a in artifacts],
        }
        try:
            execution_id = self.trigger(application, pipeline_name, body, user=user)
        except SpinnakerAnswer as answer:
            if answer.execution_id is None:
                raise
            execution_id = answer.execution_id
        return self.execution(execution_id)

    # -- judgments ---------------------------------------------------------------------------------------

    def patch_stage(
        self, execution_id: str, stage_id: str, body: Mapping[str, Any], *, user: str = "anonymous"
    ) -> Json:
        """``PATCH /pipelines/{id}/stages/{stageId}``: merge ``body`` into the stage context and return the
        execution; the stage reads it when its task runs next (TaskController.groovy:479-497), i.e. on the next
        `step` or `settle`, so the returned stage still shows RUNNING."""
        self._patch(execution_id, stage_id, body, user)
        return self.execution_json(execution_id)

    def _patch(self, execution_id: str, stage_id: str, body: Mapping[str, Any], user: str) -> None:
        execution = self._execution(execution_id)
        stage = next((s for s in execution["stages"] if s["id"] == stage_id), None)
        if stage is None:
            raise SpinnakerAnswer(404, f"Stage {stage_id} not found in execution {execution_id}")
        stage["context"].update(copy.deepcopy(dict(body)))
        stage["context"].update(lastModifiedBy=user, lastModified={"user": user, "lastModifiedTime": self.clock.now})
        self._record(f"{execution['name']!r}: stage {stage['name']!r} patched {dict(body)} by {user}")
        if stage["status"] == "RUNNING":
            self.clock.soon(partial(self.orca.run_task, execution, stage))

    def judge(
        self,
        execution: Execution | str,
        stage: str,
        decision: str,
        *,
        input: str | None = None,
        user: str = "anonymous",
    ) -> None:
        """Answer the Manual Judgment named ``stage`` (or its refId) with ``continue`` or ``stop``.

        It applies on the next `settle`, as orca applies a judgment on the task's next run.
        """
        execution_id = execution if isinstance(execution, str) else execution.id
        document = self._execution(execution_id)
        found = next(
            (
                s
                for s in document["stages"]
                if s.get("type") == "manualJudgment" and stage in (s.get("name"), s.get("refId"))
            ),
            None,
        )
        if found is None:
            raise SimulationError(f"execution {execution_id} of {document['name']!r} has no Manual Judgment {stage!r}")
        body: Json = {"judgmentStatus": decision}
        if input is not None:
            body["judgmentInput"] = input
            options = [
                str(o.get("value")) for o in found["context"].get("judgmentInputs") or [] if isinstance(o, Mapping)
            ]
            if input not in options:
                self.orca.note(
                    document,
                    f"judgment input {input!r} is not one of {options}: Deck offers only those, orca accepts any",
                )
        self._patch(execution_id, found["id"], body, user)

    def cancel(self, execution: Execution | str, reason: str | None = None, *, user: str = "anonymous") -> None:
        """``PUT /pipelines/{id}/cancel?reason=``: orca marks the execution canceled and queues the cancel, so its
        status becomes CANCELED on the next `step` (CompoundExecutionOperator.java:57-64); a canceled execution
        fires the ``canceled`` pipeline triggers (CancelExecutionHandler.kt:55-56). A finished one stays as it is."""
        document = self._execution(execution if isinstance(execution, str) else execution.id)
        if document["status"] in COMPLETE:
            return
        document.update(canceled=True, canceledBy=user, cancellationReason=reason)
        self._record(f"{document['name']!r}: cancel requested by {user}")
        self.clock.soon(partial(self.orca.finish, document, "CANCELED", reason=reason))

    # -- applications and tasks ---------------------------------------------------------------------

    def application(self, name: str) -> Json:
        """Gate's ``GET /applications/{app}``: ``{name, attributes, clusters}``; `SpinnakerAnswer` 404 when absent."""
        return self.applications.gate_view(name)

    def save_application(self, attributes: Mapping[str, Any], *, user: str = "anonymous") -> Json:
        """Create or update an application at once, as a finished ``createApplication`` task would; return
        front50's record. Raises `SpinnakerAnswer` with front50's message when refused (a blank email, ...)."""
        return self.applications.upsert(attributes, user=user)

    def submit_task(self, body: Mapping[str, Any], *, user: str = "anonymous") -> str:
        """Gate's ``POST /tasks``: store the orchestration (RUNNING) and return its id; it runs on the next step."""
        return self.tasks.submit(body, user=user)

    def task_json(self, task_id: str) -> Json:
        """Gate's ``GET /tasks/{id}``: orca's orchestration; `SpinnakerAnswer` 404 when unknown."""
        return self.tasks.get(task_id)

    # -- time -----------------------------------------------------------------------------------------

    def step(self) -> bool:
        """Run the next action due now; False when nothing is due."""
        return self.clock.step()

    def settle(self) -> None:
        """Run everything due now, cascades included, until every execution has finished or waits."""
        while self.clock.step():
            pass

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward by ``delta`` (a timedelta, or seconds), running everything due on the way,
        the end included; cron triggers fire at their times."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        if delta < timedelta(0):
            raise ValueError("time only moves forward: give a positive timedelta")
        self.settle()
        target = self.clock.now + int(delta.total_seconds() * 1000)
        self._schedule_crons(target)
        self.clock.run_until(target)

    def advance_to(self, when: datetime) -> None:
        """Move the clock to an aware datetime (not into the past)."""
        if when.tzinfo is None:
            raise ValueError("give an aware datetime: naive times are ambiguous")
        self.advance(when - self.now)

    def _schedule_crons(self, until: int) -> None:
        # echo-scheduler: enabled cron triggers of enabled pipelines (PipelineConfigsPollingJob.groovy:64-66)
        for pipeline in list(self.front50):
            if pipeline.get("disabled"):
                continue
            for trigger in pipeline.get("triggers") or []:
                if not isinstance(trigger, dict) or trigger.get("type") != "cron":
                    continue
                if not echo.enabled(trigger.get("enabled")):
                    continue
                expression = str(trigger.get("cronExpression") or "")
                try:
                    times = cron.fire_times(expression, str(trigger.get("id") or ""), self._cron_checked, until)
                except ValueError as why:
                    # PipelineConfigsPollingJob.groovy registerNewTrigger: a trigger Quartz cannot schedule is
                    # logged and skipped; the other triggers are scheduled
                    self._skip_cron(pipeline, expression, str(why))
                    continue
                for due in times:
                    self.clock.at(due, partial(self._fire_cron, pipeline, trigger))
        self._cron_checked = until

    def _skip_cron(self, pipeline: Json, expression: str, why: str) -> None:
        key = (str(pipeline.get("id")), expression)
        if key not in self._crons_skipped:  # once per expression, not on every advance
            self._crons_skipped.add(key)
            self._record(
                f"echo: cron {expression!r} of {pipeline.get('application')}/{pipeline.get('name')} is not "
                f"scheduled: {why}"
            )

    def _fire_cron(self, pipeline: Json, trigger: Json) -> None:
        # TriggerConverter.groovy:86-100: a fresh trigger, no expectedArtifactIds, no artifacts
        fresh = {
            key: trigger.get(key)
            for key in ("enabled", "rebake", "id", "type", "cronExpression", "parameters", "runAsUser")
        }
        fresh["eventId"] = self.ids.uuid("cron")
        self.orca.orchestrate(pipeline, fresh)

    # -- reading --------------------------------------------------------------------------------------

    def _execution(self, execution_id: str) -> Json:
        found = self.orca.executions.get(execution_id)
        if found is None:
            raise SpinnakerAnswer(404, f"Pipeline not found (id: {execution_id})")  # Gate's 404
        return found

    def _record_of(self, execution: Json) -> Execution:
        record = Execution.from_json(execution, self.orca.notes.get(execution["id"], ()))
        error = self.orca.errors.get(execution["id"])
        return record if error is None or record.error else attrs.evolve(record, error=error)

    def execution(self, execution_id: str) -> Execution:
        """One execution, as a record."""
        return self._record_of(self._execution(execution_id))

    def execution_json(self, execution_id: str) -> Json:
        """orca's execution JSON, as Gate's ``GET /pipelines/{id}`` returns it (a copy)."""
        copied: Json = _copy_execution(self._execution(execution_id))
        return copied

    def executions(self, application: str, pipeline: str | None = None) -> list[Execution]:
        """The application's executions, oldest first; ``pipeline`` filters by name."""
        return [
            self._record_of(e)
            for e in self.orca.executions.values()
            if e["application"] == application and (pipeline is None or e["name"] == pipeline)
        ]

    def list_executions(
        self, application: str, *, limit: int = 10, statuses: Iterable[str] | None = None, expand: bool = False
    ) -> list[Json]:
        """Gate's ``GET /applications/{app}/pipelines?limit=&statuses=&expand=`` (orca TaskController.groovy:
        589-637): the newest ``limit`` executions of each of the application's pipeline configs (executions of
        deleted configs are not listed), oldest first; ``expand=False`` empties stage contexts, outputs, tasks."""
        config_ids = [str(config["id"]) for config in self.front50.list(application)]
        return self.executions_of_configs(config_ids, limit=limit, statuses=statuses, expand=expand)

    def executions_of_configs(
        self, config_ids: Iterable[str], *, limit: int = 1, statuses: Iterable[str] | None = None, expand: bool = True
    ) -> list[Json]:
        """Gate's ``GET /executions?pipelineConfigIds=&limit=&statuses=`` (ExecutionsController.java:40-78;
        orca TaskController.groovy:203-254): ``limit`` per config, oldest first by startTime (none first), ties by
        id descending (:726-731)."""
        wanted = None if statuses is None else {status.upper() for status in statuses}
        found: list[Json] = []
        for config_id in dict.fromkeys(config_ids):
            runs = [
                self.orca.executions[i]
                for i in self.orca.by_config.get(config_id, [])
                if wanted is None or self.orca.executions[i]["status"] in wanted
            ]
            found += runs[::-1][: max(limit, 0)]  # by_config is in creation order: newest first after reversing
        found.sort(key=lambda e: e["id"], reverse=True)
        found.sort(key=lambda e: e.get("startTime") or 0)
        return [_copy_execution(e) if expand else _unexpanded(e) for e in found]

    def deployments(self) -> list[Deployment]:
        """Every Deploy (Manifest) that ran, oldest first."""
        return list(self.orca.deployments)

    def rollbacks(self) -> list[Rollback]:
        """Every Undo Rollout (Manifest) that ran, oldest first."""
        return list(self.orca.rollbacks)

    def waiting(self) -> list[str]:
        """Why executions that have not finished are waiting (a judgment, a window, a queue, a wait)."""
        reasons: list[str] = []
        for execution in self.orca.executions.values():
            if execution["status"] in COMPLETE:
                continue
            if execution["status"] == "NOT_STARTED":
                reasons.append(f"{execution['name']!r} is queued behind a running execution (limitConcurrent)")
                continue
            for stage in execution["stages"]:
                if stage["status"] != "RUNNING":
                    continue
                if stage.get("type") == "manualJudgment":
                    reasons.append(f"{execution['name']!r} awaits the judgment {stage['name']!r}")
                elif stage["context"].get("scheduledTime"):
                    reasons.append(f"{execution['name']!r}: {stage['name']!r} waits for its execution window")
                else:
                    reasons.append(f"{execution['name']!r}: {stage['name']!r} is running ({stage.get('type')})")
        return reasons

    def timeline(self) -> list[str]:
        """What happened, in order, each line stamped with the simulated time since the start."""
        lines = []
        for at, text in self._log:
            seconds = (at - self._start) // 1000
            lines.append(f"[+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}] {text}")
        return lines


def _copy_execution(value: Any) -> Any:
    """A copy of JSON data (dicts, lists, scalars): much cheaper than copy.deepcopy on deep executions."""
    if isinstance(value, dict):
        return {key: _copy_execution(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_execution(item) for item in value]
    return value


def _unexpanded(execution: Json) -> Json:
    """An execution as ``expand=false`` lists it (TaskController.groovy:709-724): stage contexts emptied
    (``group`` kept), outputs and tasks emptied."""
    copied: Json = _copy_execution(execution)
    for stage in copied["stages"]:
        group = stage["context"].get("group")
        stage.update(context={} if group is None else {"group": group}, outputs={}, tasks=[])
    return copied
