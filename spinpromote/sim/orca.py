"""orca: starting executions, resolving their artifacts, scheduling their stages, finishing them, and
starting the pipelines that follow.

The execution state is orca's execution JSON (what Gate's ``GET /pipelines/{id}`` returns); stage
behaviour lives in `spinpromote.sim.stages`. Sources are cited on each rule; the reference is
``spinnaker-runtime.md`` sections 2-5.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from spinpromote._artifact_match import InvalidPattern, artifact_matches
from spinpromote.sim import stages
from spinpromote.sim.artifacts import union
from spinpromote.sim.clock import Clock, Ids
from spinpromote.sim.echo import enabled
from spinpromote.sim.front50 import Front50
from spinpromote.sim.resolution import ResolutionError, all_artifacts, resolve_at_start, stage_artifacts, topological
from spinpromote.sim.results import Deployment, Rollback
from spinpromote.sim.stages import Outcome, label
from spinpromote.sim.stores import DockerRegistry, GitHost

__all__ = ["COMPLETE", "OK_FOR_DOWNSTREAM", "Orca"]

Json = dict[str, Any]

# ExecutionStatus.java:31-67: complete statuses; SUCCEEDED, FAILED_CONTINUE and SKIPPED let downstream
# stages start (Stage.kt:82-83).
OK_FOR_DOWNSTREAM = frozenset({"SUCCEEDED", "FAILED_CONTINUE", "SKIPPED"})
COMPLETE = OK_FOR_DOWNSTREAM | {"TERMINAL", "CANCELED", "STOPPED"}

# DependentPipelineExecutionListener.groovy:142-155
_TRIGGER_VALUE = {"SUCCEEDED": "successful", "CANCELED": "canceled", "SUSPENDED": "suspended"}


class Orca:
    """Executions and their scheduling. Use it through `spinpromote.sim.Spinnaker`.

    ```pycon
    >>> from spinpromote.sim import Spinnaker
    >>> isinstance(Spinnaker().orca, Orca)
    True

    ```
    """

    def __init__(
        self,
        *,
        clock: Clock,
        ids: Ids,
        front50: Front50,
        git: GitHost,
        registry: DockerRegistry,
        outcomes: Mapping[str, str],
        roles: Mapping[str, Iterable[str]] | None,
        log: Callable[[str], None],
        artifact_accounts: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.front50 = front50
        self.git = git
        self.registry = registry
        self.outcomes = dict(outcomes)
        self.roles = None if roles is None else {user: set(r) for user, r in roles.items()}
        self.artifact_accounts = (
            None if artifact_accounts is None else {name: frozenset(types) for name, types in artifact_accounts.items()}
        )
        self.log = log
        self.executions: dict[str, Json] = {}
        self.by_config: dict[str, list[str]] = {}
        self.notes: dict[str, list[str]] = {}
        self.errors: dict[str, str] = {}  # failures orca reports on the execution itself (no initial stage, ...)
        self.deployments: list[Deployment] = []
        self.rollbacks: list[Rollback] = []
        self.monitors: dict[str, tuple[Json, Json]] = {}  # child execution id -> (parent execution, pipeline stage)
        self.waiting_tasks: set[str] = set()  # stage ids with a re-run already scheduled
        self._triggered_by: dict[str, list[str]] = {}
        self._triggered_by_revision = -1

    # -- starting -----------------------------------------------------------------------------------

    def note(self, execution: Json, text: str) -> None:
        """Record something the simulator did not model, or a rule that decided the outcome."""
        self.notes.setdefault(execution["id"], []).append(text)

    def orchestrate(self, config: Mapping[str, Any], trigger: Mapping[str, Any], received: Iterable[Json] = ()) -> Json:
        """Start a pipeline as orca's ``/orchestrate`` and DependentPipelineStarter do; return the execution.

        A failure at start is stored as a TERMINAL execution that never ran a stage (ExecutionLauncher.java:117-125).
        """
        trigger = dict(trigger)
        trigger.setdefault("type", "manual")  # OperationsController.groovy:276-282
        trigger.setdefault("user", "anonymous")
        parameters = {
            p["name"]: p.get("default")
            for p in config.get("parameterConfig") or []
            if isinstance(p, Mapping) and p.get("name")
        }
        parameters.update(trigger.get("parameters") or {})  # defaults filled in (:306-314)
        trigger["parameters"] = parameters
        now = self.clock.now
        execution: Json = {
            "id": self.ids.ulid(now),
            "type": "PIPELINE",
            "application": config.get("application"),
            "name": config.get("name"),
            "pipelineConfigId": config.get("id"),
            "status": "NOT_STARTED",
            "buildTime": now,
            "startTime": None,
            "endTime": None,
            "canceled": False,
            "limitConcurrent": bool(config.get("limitConcurrent")),
            "keepWaitingPipelines": bool(config.get("keepWaitingPipelines")),
            "spelEvaluator": config.get("spelEvaluator"),
            "trigger": trigger,
            "stages": self._build_stages(config),
            "notifications": copy.deepcopy(config.get("notifications") or []),
            "initialConfig": {},
        }
        self.executions[execution["id"]] = execution
        self.by_config.setdefault(str(config.get("id")), []).append(execution["id"])
        error = None
        pool = union(trigger.pop("receivedArtifacts", None) or [], received, trigger.get("artifacts") or [])
        try:  # resolution comes before SpEL (OperationsController.groovy:175 vs :184)
            artifacts, resolved = resolve_at_start(
                config.get("expectedArtifacts") or [],
                trigger.get("expectedArtifactIds") or [],
                pool,
                lambda: self._prior_artifacts(execution),
            )
            trigger["artifacts"] = artifacts  # ArtifactUtils.java:238-257
            trigger["resolvedExpectedArtifacts"] = resolved
            trigger["expectedArtifacts"] = resolved
        except ResolutionError as failure:
            trigger["artifacts"] = pool
            error = str(failure)
        except InvalidPattern as invalid:  # Pattern.compile throws in ExpectedArtifact.matches: the start fails
            trigger["artifacts"] = pool
            error = str(invalid)
            self.note(execution, f"{invalid}: Python's regex dialect; Java's may accept it (the wording is ours)")
        except Exception as exc:  # ExecutionLauncher.java:117-125: any exception fails the start
            trigger["artifacts"] = pool
            error = f"expectedArtifacts cannot be read: {exc}"
            self.note(
                execution, f"start failed on malformed expected artifacts ({exc}); the wording is the simulator's"
            )
        if error is None and config.get("disabled"):
            error = "Pipeline is disabled and cannot be started."  # OperationsController.groovy:245-247
        self.log(f"{label(execution)} created by a {trigger['type']} trigger")
        if error is not None:
            # ExecutionLauncher.java:163-198: stored TERMINAL, canceled by "system", no stage runs, and no
            # ExecutionComplete, so no pipeline trigger fires (spinnaker-runtime.md 2.3)
            execution.update(
                status="TERMINAL",
                canceled=True,
                canceledBy="system",
                cancellationReason=f"Failed on startup: {error}",
                startTime=now,
                endTime=now,
            )
            self.log(f"{label(execution)} TERMINAL at start: {error}")
            return execution
        self.clock.soon(lambda: self.start_execution(execution))
        return execution

    def _build_stages(self, config: Mapping[str, Any]) -> list[Json]:
        # PipelineBuilder.java:93-117: name, type, refId, requisiteStageRefIds leave the map; the rest is context
        raw = [s for s in config.get("stages") or [] if isinstance(s, Mapping)]
        numbered = not any(s.get("refId") not in (None, "") for s in raw)
        stages: list[Json] = []
        for index, source in enumerate(raw):
            context = copy.deepcopy({k: v for k, v in source.items() if k not in _STAGE_KEYS})
            ref_id = str(index) if numbered else str(source.get("refId"))
            requisites = (
                ([str(index - 1)] if index else [])
                if numbered
                else [str(r) for r in source.get("requisiteStageRefIds") or []]
            )
            stages.append(
                {
                    "id": self.ids.ulid(self.clock.now),
                    "refId": ref_id,
                    "type": source.get("type"),
                    "name": source.get("name"),
                    "status": "NOT_STARTED",
                    "startTime": None,
                    "endTime": None,
                    "context": context,
                    "outputs": {},
                    "requisiteStageRefIds": requisites,
                    "tasks": [],
                    "parentStageId": None,
                    "syntheticStageOwner": None,
                }
            )
        return stages

    def _prior_artifacts(self, execution: Json) -> list[Json]:
        # ArtifactUtils.java:290-298; SqlExecutionRepository.kt:612-642: the newest earlier execution of the
        # same config, whatever its status
        earlier = [i for i in self.by_config.get(str(execution["pipelineConfigId"]), []) if i != execution["id"]]
        return all_artifacts(self.executions[earlier[-1]]) if earlier else []

    def start_dependent(self, config: Json, parent: Json, stage: Json | None = None) -> Json:
        """Start ``config`` from ``parent``'s end (pipeline trigger) or from its ``pipeline`` stage.

        DependentPipelineStarter.groovy: receivedArtifacts :122-129, expectedArtifactIds :85-89,135-148,
        parameters not inherited :107-115.
        """
        received = all_artifacts(parent) if stage is None else stage_artifacts(parent, stage)
        ids: list[str] = []
        if stage is None:
            parent_id = parent.get("pipelineConfigId")
            for configured in config.get("triggers") or []:
                if not isinstance(configured, Mapping):
                    continue
                if configured.get("type") == "pipeline" and configured.get("pipeline") == parent_id:
                    ids += [i for i in configured.get("expectedArtifactIds") or [] if i not in ids]
        for expected in config.get("expectedArtifacts") or []:
            if not isinstance(expected, dict):
                continue  # orchestrate fails the start on it
            expected_id: Any = expected.get("id")
            if expected_id not in ids and _any_match(expected.get("matchArtifact"), received):
                ids.append(expected_id)
        trigger: Json = {
            "type": "pipeline",
            "user": (parent.get("trigger") or {}).get("user", "anonymous"),
            "parentExecution": parent,
            "parentPipelineId": parent["id"],
            "parentPipelineName": parent.get("name"),
            "parentPipelineApplication": parent.get("application"),
            "parentStatus": parent.get("status"),
            "parentPipelineStageId": stage["id"] if stage is not None else None,
            "correlationId": "_".join(
                str(part)
                for part in (parent["id"], stage["id"] if stage else None, config.get("id"), parent.get("startTime"))
            ),
            "parameters": dict((stage or {}).get("context", {}).get("pipelineParameters") or {}),
            "artifacts": received,
            "expectedArtifactIds": ids,
        }
        return self.orchestrate(config, trigger)

    # -- running --------------------------------------------------------------------------------------

    def start_execution(self, execution: Json) -> None:
        """StartExecutionHandler: queue behind a running execution of the same config, or start the first stages."""
        if execution["status"] != "NOT_STARTED" or execution.get("canceled"):
            return
        if execution["limitConcurrent"] and self._running_sibling(execution):
            # limitConcurrent: wait while another execution of this config runs (StartExecutionHandler.kt)
            self.log(f"{label(execution)} queued: another execution of this pipeline is running (limitConcurrent)")
            return
        try:
            topological(execution["stages"])
        except ResolutionError as failure:
            self.finish(execution, "TERMINAL", error=str(failure))
            return
        initial = [s for s in execution["stages"] if not s["requisiteStageRefIds"]]
        execution.update(status="RUNNING", startTime=self.clock.now)
        self.log(f"{label(execution)} RUNNING")
        if not initial:
            # Execution.kt:24-26; StartExecutionHandler.kt:91-96
            self.finish(execution, "TERMINAL", error="No initial stages found")
            return
        for stage in initial:
            self.clock.soon(partial(self.start_stage, execution, stage))

    def _running_sibling(self, execution: Json) -> bool:
        return any(
            self.executions[i]["status"] == "RUNNING"
            for i in self.by_config.get(str(execution["pipelineConfigId"]), [])
            if i != execution["id"]
        )

    def _upstream(self, execution: Json, stage: Json) -> list[Json]:
        refs = set(stage["requisiteStageRefIds"])
        return [s for s in execution["stages"] if s["refId"] in refs]

    def start_stage(self, execution: Json, stage: Json) -> None:
        """StartStageHandler: once every upstream stage succeeded (or was skipped), check stageEnabled, then run."""
        if execution["status"] != "RUNNING" or stage["status"] != "NOT_STARTED":
            return
        if any(s["status"] not in OK_FOR_DOWNSTREAM for s in self._upstream(execution, stage)):
            return  # Stage.kt:82-83
        stage.update(status="RUNNING", startTime=self.clock.now)
        try:
            enabled_stage = stages.stage_enabled(self, execution, stage)  # OptionalStageSupport.java:71-130
            if enabled_stage:
                stages.evaluate_context(self, execution, stage)
        except Exception as exc:  # orca's task throws on such input too
            self._task_failed(execution, stage, exc)
            return
        if not enabled_stage:
            self.complete_stage(execution, stage, "SKIPPED")
            return
        if stage["context"].get("restrictExecutionDuringTimeWindow"):
            try:
                stages.await_window(self, execution, stage)
            except Exception as exc:
                self._task_failed(execution, stage, exc)
            return
        self.run_task(execution, stage)

    def run_task(self, execution: Json, stage: Json) -> None:
        """Run the stage's work; it finishes the stage or leaves it RUNNING with a re-run scheduled."""
        if execution["status"] != "RUNNING" or stage["status"] != "RUNNING":
            return
        try:
            outcome: Outcome = stages.run(self, execution, stage)
            if outcome.status == "RUNNING":
                self._bound_by_timeout(execution, stage)
                return
        except Exception as exc:  # orca's task throws on such input too
            self._task_failed(execution, stage, exc)
            return
        if outcome.outputs:
            stage["outputs"].update(outcome.outputs)
        if outcome.context:
            stage["context"].update(outcome.context)
        self.complete_stage(execution, stage, outcome.status, error=outcome.error)

    def _task_failed(self, execution: Json, stage: Json, exc: Exception) -> None:
        """A task that throws: RunTaskHandler.kt:162-178 completes the stage with its failure status (the flags
        of Stage.kt:124-132 apply) when the exception is not retryable, the exception in ``context.exception``."""
        if stage["status"] != "RUNNING":
            return
        detail = str(exc) or type(exc).__name__
        if execution["status"] == "RUNNING":
            self.note(
                execution,
                f"stage {stage.get('name')!r}: its task failed on its input ({detail}); orca fails the stage too, "
                "in its own words (the message here is the simulator's)",
            )
        self.complete_stage(
            execution, stage, "TERMINAL", error=f"Unexpected task failure in stage {stage.get('name')!r}: {detail}"
        )

    def _bound_by_timeout(self, execution: Json, stage: Json) -> None:
        # RunTaskHandler.kt:382-421: stageTimeoutMs bounds the whole stage, counted once its window has opened;
        # Manual Judgment applies it itself (ManualJudgmentStage.groovy:72-74)
        timeout = stage["context"].get("stageTimeoutMs")
        key = stage["id"] + ":timeout"
        if not timeout or stage.get("type") == "manualJudgment" or key in self.waiting_tasks:
            return
        milliseconds = _milliseconds(timeout)  # StageExecutionImpl.java:759-771: a number, or the task throws
        self.waiting_tasks.add(key)
        self.clock.at(self.clock.now + milliseconds, partial(self._time_out, execution, stage, milliseconds))

    def _time_out(self, execution: Json, stage: Json, timeout: int) -> None:
        if execution["status"] != "RUNNING" or stage["status"] != "RUNNING":
            return
        if stage["context"].get("markSuccessfulOnTimeout"):  # RunTaskHandler.kt:212-214
            self.complete_stage(execution, stage, "SUCCEEDED")
            return
        # the duration's format is the simulator's; orca formats it with its own helper
        error = f"Stage {stage['name']} timed out after {timeout // 1000} seconds"
        self.complete_stage(execution, stage, "TERMINAL", error=error)

    def schedule(self, execution: Json, stage: Json, due: int) -> None:
        """Run the stage's work again at ``due`` (orca re-queues a RUNNING task)."""
        self.clock.at(due, lambda: self.run_task(execution, stage))

    def complete_stage(self, execution: Json, stage: Json, status: str, *, error: str | None = None) -> None:
        """CompleteStageHandler: apply the failure flags, then start downstream stages or end the execution."""
        context = stage["context"]
        if status == "TERMINAL":
            status = failure_status(context)  # Stage.kt:124-132
        summary = context.get("expressionEvaluationSummary")
        if context.get("failOnFailedExpressions") and summary and status in OK_FOR_DOWNSTREAM:
            status = "TERMINAL"  # CompleteStageHandler.kt:87-94
            error = error or f"Failed to evaluate expressions: {summary}"
        if error is not None:
            context["exception"] = {"details": {"error": error, "errors": [error]}}
        stage.update(status=status, endTime=self.clock.now)
        self.log(f"{label(execution)} stage {stage['name']!r} {status}" + (f": {error}" if error else ""))
        if status in OK_FOR_DOWNSTREAM:
            for downstream in execution["stages"]:
                if stage["refId"] in downstream["requisiteStageRefIds"]:
                    self.clock.soon(partial(self.start_stage, execution, downstream))
        elif status == "TERMINAL":
            self.finish(execution, "TERMINAL")
            return
        self.clock.soon(lambda: self._maybe_finish(execution))

    def _maybe_finish(self, execution: Json) -> None:
        # CompleteExecutionHandler.kt:109-140: decide once nothing runs and nothing more can start
        if execution["status"] != "RUNNING":
            return
        stages = execution["stages"]
        if any(s["status"] == "RUNNING" for s in stages):
            return
        startable = [
            s
            for s in stages
            if s["status"] == "NOT_STARTED"
            and all(u["status"] in OK_FOR_DOWNSTREAM for u in self._upstream(execution, s))
        ]
        if startable:
            return
        statuses = {s["status"] for s in stages}
        if "TERMINAL" in statuses:
            self.finish(execution, "TERMINAL")
        elif "CANCELED" in statuses:
            self.finish(execution, "CANCELED")
        elif "STOPPED" in statuses:
            # a halted branch ends the execution SUCCEEDED unless completeOtherBranchesThenFail (:120-136)
            fail = any(s["status"] == "STOPPED" and s["context"].get("completeOtherBranchesThenFail") for s in stages)
            self.finish(execution, "TERMINAL" if fail else "SUCCEEDED")
        else:
            self.finish(execution, "SUCCEEDED")

    def finish(self, execution: Json, status: str, *, error: str | None = None, reason: str | None = None) -> None:
        """End an execution, cancel its running stages, then publish ExecutionComplete."""
        if execution["status"] in COMPLETE:
            return
        for stage in execution["stages"]:
            if stage["status"] == "RUNNING":
                stage.update(status="CANCELED", endTime=self.clock.now)  # running stages are canceled
        if error is not None:
            self.errors[execution["id"]] = error
        if status == "CANCELED":
            execution.update(
                canceled=True, canceledBy=execution.get("canceledBy") or "anonymous", cancellationReason=reason
            )
        execution.update(status=status, endTime=self.clock.now)
        self.log(f"{label(execution)} {status}")
        self._execution_complete(execution)

    # -- after an execution -------------------------------------------------------------------------

    def _children(self, config_id: str) -> list[str]:
        if self._triggered_by_revision != self.front50.revision:
            index: dict[str, list[str]] = {}
            for pipeline in self.front50:
                for trigger in pipeline.get("triggers") or []:
                    if isinstance(trigger, Mapping) and trigger.get("type") == "pipeline" and trigger.get("pipeline"):
                        children = index.setdefault(str(trigger["pipeline"]), [])
                        if pipeline["id"] not in children:
                            children.append(pipeline["id"])
            self._triggered_by = index
            self._triggered_by_revision = self.front50.revision
        return self._triggered_by.get(config_id, [])

    def _execution_complete(self, execution: Json) -> None:
        monitor = self.monitors.pop(execution["id"], None)
        if monitor is not None:
            parent, stage = monitor
            self.clock.soon(lambda: self.pipeline_stage_done(parent, stage, execution))
        # DependentPipelineExecutionListener.groovy:71-155: every enabled pipeline trigger naming this config
        # with the matching status starts its pipeline
        value = _TRIGGER_VALUE.get(execution["status"], "failed")
        config_id = str(execution.get("pipelineConfigId"))
        for child_id in self._children(config_id):
            child = self.front50.by_id(child_id)
            if child is None or child.get("disabled"):
                continue
            if any(
                isinstance(t, Mapping)
                and t.get("type") == "pipeline"
                and t.get("pipeline") == config_id
                and enabled(t.get("enabled"))
                and value in (t.get("status") or [])
                for t in child.get("triggers") or []
            ):
                self.clock.soon(partial(self._start_child, child, execution))
        self.clock.soon(lambda: self._start_waiting(config_id))

    def _start_child(self, child: Json, parent: Json) -> None:
        self.start_dependent(child, parent)

    def _start_waiting(self, config_id: str) -> None:
        # StartWaitingExecutionsHandler.kt:43-75: keepWaitingPipelines false starts only the newest queued
        # execution and cancels the others (which fires their `canceled` pipeline triggers); true starts the oldest
        executions = [self.executions[i] for i in self.by_config.get(config_id, [])]
        if any(e["status"] == "RUNNING" for e in executions):
            return
        waiting = [e for e in executions if e["status"] == "NOT_STARTED" and not e.get("canceled")]
        if not waiting:
            return
        if waiting[-1]["keepWaitingPipelines"]:
            self.clock.soon(lambda: self.start_execution(waiting[0]))
            return
        for older in waiting[:-1]:
            older["canceledBy"] = "spinnaker"
            self.finish(
                older, "CANCELED", reason="Canceled: a newer execution was queued and keepWaitingPipelines is false"
            )
        self.clock.soon(lambda: self.start_execution(waiting[-1]))

    def pipeline_stage_done(self, parent: Json, stage: Json, child: Json) -> None:
        # MonitorPipelineTask.groovy:37-161: SUCCEEDED -> SUCCEEDED, TERMINAL/STOPPED -> TERMINAL,
        # CANCELED -> CANCELED; the child's merged outputs become the stage's (:139-141)
        if stage["status"] != "RUNNING":
            return
        status = child["status"]
        if status == "SUCCEEDED":
            if not stage["context"].get("skipDownstreamOutput"):
                stage["outputs"].update(merged_outputs(child))
            self.complete_stage(parent, stage, "SUCCEEDED")
        elif status == "CANCELED":
            self.complete_stage(parent, stage, "CANCELED")
        else:
            self.complete_stage(
                parent, stage, "TERMINAL", error=f"Pipeline {child.get('name')!r} ({child['id']}) ended {status}"
            )


_STAGE_KEYS = frozenset({"name", "type", "refId", "requisiteStageRefIds"})


def _any_match(match_artifact: Any, received: list[Json]) -> bool:
    try:
        return any(artifact_matches(match_artifact, artifact) for artifact in received)
    except InvalidPattern:
        return True  # listed: resolution at start meets the same regex and fails the start with it


def _milliseconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"stageTimeoutMs {value!r} is not a number of milliseconds")
    try:
        return int(float(value))
    except ValueError:
        raise ValueError(f"stageTimeoutMs {value!r} is not a number of milliseconds") from None


def failure_status(context: Mapping[str, Any]) -> str:
    """The status a failed stage takes from its flags (orca-kotlin ``Stage.kt:124-132``).

    ```pycon
    >>> failure_status({"continuePipeline": True}), failure_status({"failPipeline": False}), failure_status({})
    ('FAILED_CONTINUE', 'STOPPED', 'TERMINAL')

    ```
    """
    if context.get("continuePipeline") is True:
        return "FAILED_CONTINUE"
    if context.get("failPipeline") is False:
        return "STOPPED"
    return "TERMINAL"


def merged_outputs(execution: Mapping[str, Any]) -> Json:
    """The child's stage outputs merged in stage order, artifacts collected (PipelineExecutionImpl.java:179-196).

    ```pycon
    >>> merged_outputs({"stages": [{"outputs": {"a": 1, "artifacts": [{"type": "x"}]}}, {"outputs": {"a": 2}}]})
    {'a': 2, 'artifacts': [{'type': 'x'}]}

    ```
    """
    merged: Json = {}
    artifacts: list[Json] = []
    for stage in execution.get("stages") or []:
        outputs = dict(stage.get("outputs") or {})
        artifacts = union(artifacts, outputs.pop("artifacts", None) or [])
        merged.update(outputs)
    if artifacts:
        merged["artifacts"] = artifacts
    return merged
