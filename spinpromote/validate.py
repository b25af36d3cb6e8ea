"""Checks for what Spinnaker would only reveal at run time, each problem with a JSON path.

The rules mirror Deck's validators and the failures orca and clouddriver raise (see the format reference,
sections 2-6 and 10). Every message says what to do about it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from spinpromote import model
from spinpromote._jsonpath import child_path
from spinpromote._stage_graph import components, stage_parents
from spinpromote.model.artifacts import _ArtifactFields
from spinpromote.model.kubernetes import _SelectorFields
from spinpromote.model.stage_base import StageFields

__all__ = ["Problem", "Severity", "errors", "validate_pipeline"]

Severity = Literal["error", "warning"]


@attrs.frozen(kw_only=True)
class Problem:
    """One finding: where (``path``, and ``pipeline`` when checking several), what, and how bad.

    ```pycon
    >>> print(Problem(path="$.stages[0].account", message="set it", pipeline="Deploy"))
    error: 'Deploy' $.stages[0].account: set it

    ```
    """

    path: str
    message: str
    severity: Severity = "error"
    pipeline: str | None = None

    def __str__(self) -> str:
        where = f"{self.pipeline!r} " if self.pipeline is not None else ""
        return f"{self.severity}: {where}{self.path}: {self.message}"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems of severity ``error``."""
    return [problem for problem in problems if problem.severity == "error"]


_PIPELINE_STATUSES = {"successful", "failed", "canceled", "suspended"}
_STAGE_LOOKUP = re.compile(r"#(judgment|judgement|stage)\(\s*(['\"])(.*?)\2\s*\)")
# (attribute, wire key) each trigger type needs: Deck's trigger validators, plus what echo matches on.
_TRIGGER_REQUIRED: dict[type, tuple[tuple[str, str], ...]] = {
    model.DockerTrigger: (("account", "account"), ("repository", "repository")),
    model.JenkinsTrigger: (("job", "job"),),
    model.HelmTrigger: (("account", "account"), ("chart", "chart"), ("version", "version")),
    model.PipelineTrigger: (("pipeline", "pipeline"),),
    model.CronTrigger: (("cron_expression", "cronExpression"),),
    model.GitTrigger: (("source", "source"), ("project", "project"), ("slug", "slug")),
    model.WebhookTrigger: (("source", "source"),),
    model.PubsubTrigger: (("pubsub_system", "pubsubSystem"), ("subscription_name", "subscriptionName")),
}
_MANIFEST_EXCLUDED = ("docker/image", "kubernetes/", "front50/pipelineTemplate", "maven/file")


def validate_pipeline(pipeline: model.Pipeline) -> list[Problem]:
    """Every problem in one pipeline. `Pipeline.validate` calls this."""
    return list(_PipelineChecks(pipeline).run())


class _PipelineChecks:
    def __init__(self, pipeline: model.Pipeline) -> None:
        self.pipeline = pipeline
        self.stages: Sequence[model.Stage] = pipeline.stages
        self.declared = {ea.id for ea in pipeline.expected_artifacts if ea.id}

    def problem(self, path: str, message: str, severity: Severity = "error") -> Problem:
        return Problem(path=path, message=message, severity=severity, pipeline=self.pipeline.name)

    def run(self) -> Iterator[Problem]:
        yield from self.identity()
        yield from self.parameters()
        yield from self.expected_artifacts(self.pipeline.expected_artifacts, "$.expectedArtifacts")
        yield from self.notifications(self.pipeline.notifications, "$.notifications", model.PIPELINE_EVENTS)
        for index, trigger in enumerate(self.pipeline.triggers):
            yield from self.trigger(trigger, f"$.triggers[{index}]")
        yield from self.graph()
        yield from self.all_stages()
        yield from self.stage_lookups()

    # -- pipeline -----------------------------------------------------------------------------------

    def identity(self) -> Iterator[Problem]:
        p = self.pipeline
        if not p.application or not p.application.strip():
            yield self.problem("$.application", "front50 refuses a pipeline without an application: set it")
        if not p.name or not p.name.strip():
            yield self.problem("$.name", "front50 refuses a pipeline without a name: set it")
        elif p.name != p.name.strip():
            yield self.problem("$.name", "front50 trims the name, so it will not match: remove the spaces", "warning")
        if p.id is not None and (not p.id.strip() or len(p.id) > 255):
            yield self.problem("$.id", "a pipeline id must be 1 to 255 characters: leave it unset or fix it")
        from spinpromote.codec import is_written  # the codec knows whether the key was there

        if not is_written(p, "stages"):
            yield self.problem("$.stages", "orca fails on a pipeline without stages: use an empty list")

    def parameters(self) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, parameter in enumerate(self.pipeline.parameters):
            path = f"$.parameterConfig[{index}]"
            if not parameter.name:
                yield self.problem(f"{path}.name", "every parameter needs a name")
            elif parameter.name in seen:
                yield self.problem(f"{path}.name", f"parameter {parameter.name!r} is defined twice: rename one")
            else:
                seen.add(parameter.name)

    def expected_artifacts(self, artifacts: Sequence[model.ExpectedArtifact], path: str) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, ea in enumerate(artifacts):
            here = f"{path}[{index}]"
            if not ea.id:
                yield self.problem(f"{here}.id", "an expected artifact needs an id that stages and triggers refer to")
            elif ea.id in seen or (path != "$.expectedArtifacts" and ea.id in self.declared):
                yield self.problem(f"{here}.id", f"expected artifact id {ea.id!r} is used twice: make it unique")
            else:
                seen.add(ea.id)
            if ea.match is None or _is_empty(ea.match):
                yield self.problem(
                    f"{here}.matchArtifact",
                    "every expected artifact must say what it matches: give at least a type and a name",
                )
            elif not ea.match.type or not ea.match.name:
                yield self.problem(
                    f"{here}.matchArtifact",
                    "a matcher without both type and name can match several artifacts, and orca then fails "
                    "with 'matches multiple artifacts': give both",
                    "warning",
                )
            if ea.use_default_artifact and ea.default is None:
                yield self.problem(
                    f"{here}.defaultArtifact", "useDefaultArtifact is on but there is no default artifact: add one"
                )

    def notifications(
        self, notifications: Sequence[model.Notification], path: str, allowed: Sequence[str]
    ) -> Iterator[Problem]:
        for index, notification in enumerate(notifications):
            here = f"{path}[{index}]"
            if not notification.type:
                yield self.problem(f"{here}.type", "a notification needs a type such as slack or email")
            if not notification.address and notification.type not in ("githubStatus", "pubsub"):
                yield self.problem(f"{here}.address", "a notification needs an address (channel, email, ...)")
            for position, when in enumerate(notification.when):
                if when not in allowed:
                    yield self.problem(
                        f"{here}.when[{position}]",
                        f"{when!r} never fires here; use one of {', '.join(allowed)}",
                    )

    # -- triggers -----------------------------------------------------------------------------------

    def trigger(self, trigger: model.Trigger, path: str) -> Iterator[Problem]:
        if trigger.enabled is not None and not isinstance(trigger.enabled, bool):
            yield self.problem(f"{path}.enabled", "must be true or false: orca treats the string 'false' as on")
        for position, ea_id in enumerate(trigger.expected_artifact_ids):
            if ea_id not in self.declared:
                yield self.problem(
                    f"{path}.expectedArtifactIds[{position}]",
                    f"no expected artifact {ea_id!r} is declared in this pipeline: declare it or remove the id",
                )
        for attribute, key in _TRIGGER_REQUIRED.get(type(trigger), ()):
            if not getattr(trigger, attribute):
                yield self.problem(f"{path}.{key}", f"a {trigger.type} trigger needs {key}: set it")
        if isinstance(trigger, model.GenericTrigger) and not trigger.type:
            yield self.problem(f"{path}.type", "a trigger without a type never fires: set the type or remove it")
        if isinstance(trigger, model.PipelineTrigger):
            if not trigger.status:
                yield self.problem(
                    f"{path}.status", "a pipeline trigger with no status never fires: use ['successful']"
                )
            for position, status in enumerate(trigger.status):
                if status not in _PIPELINE_STATUSES:
                    yield self.problem(
                        f"{path}.status[{position}]",
                        f"{status!r} is not a pipeline status; use successful, failed or canceled",
                    )
        if isinstance(trigger, model.CronTrigger) and trigger.cron_expression:
            if len(trigger.cron_expression.split()) not in (6, 7):
                yield self.problem(
                    f"{path}.cronExpression",
                    "Spinnaker reads Quartz cron expressions: 6 or 7 fields, starting with seconds",
                )

    # -- stage graph --------------------------------------------------------------------------------

    def graph(self) -> Iterator[Problem]:
        if not self.stages:
            return
        missing = [index for index, stage in enumerate(self.stages) if stage.ref_id is None]
        if len(missing) == len(self.stages):
            yield self.problem(
                "$.stages",
                "no stage has a refId; only manual starts chain such stages, pipeline triggers fail: "
                "build the pipeline with PipelineBuilder",
                "warning",
            )
            return
        for index in missing:
            yield self.problem(f"$.stages[{index}].refId", "every stage needs a refId: set one")
        seen: dict[str, int] = {}
        for index, stage in enumerate(self.stages):
            if stage.ref_id is None:
                continue
            if not isinstance(stage.ref_id, str):
                yield self.problem(f"$.stages[{index}].refId", "refIds must be strings: orca casts them")
            elif stage.ref_id in seen:
                yield self.problem(
                    f"$.stages[{index}].refId",
                    f"refId {stage.ref_id!r} is already used by stage {seen[stage.ref_id]}: refIds must be unique",
                )
            else:
                seen[stage.ref_id] = index
        initial = False
        for index, stage in enumerate(self.stages):
            parents = stage.requisite_stage_ref_ids
            if not parents:
                initial = True
            for position, parent in enumerate(parents):
                if parent not in seen:
                    yield self.problem(
                        f"$.stages[{index}].requisiteStageRefIds[{position}]",
                        f"no stage has refId {parent!r}: point at an existing stage",
                    )
        if not initial:
            yield self.problem("$.stages", "no stage starts the pipeline: give one stage an empty requisiteStageRefIds")
        cycle = _find_cycle({s.ref_id: tuple(s.requisite_stage_ref_ids) for s in self.stages if s.ref_id})
        if cycle:
            index = seen[cycle[0]]
            yield self.problem(
                f"$.stages[{index}].requisiteStageRefIds",
                f"stages depend on each other in a cycle ({' -> '.join(cycle)}): orca cannot order them",
            )

    def all_stages(self) -> Iterator[Problem]:
        """Each stage's problems, in stage order; the stages are checked in dependency order."""
        found: dict[int, list[Problem]] = {}
        for index, visible in _visible_artifacts(self.stages, self.declared):
            problems = list(self.stage(self.stages[index], f"$.stages[{index}]", visible))
            if problems:
                found[index] = problems
        for index in sorted(found):
            yield from found[index]

    # -- stages -------------------------------------------------------------------------------------

    def stage(self, stage: model.Stage, path: str, available: _Visible) -> Iterator[Problem]:
        if isinstance(stage, model.GenericStage) and not stage.type:
            yield self.problem(f"{path}.type", "a stage needs a type")
        timeout = stage.stage_timeout_ms
        if timeout is not None and not (
            (isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0)
            or (isinstance(timeout, str) and "${" in timeout)
        ):
            yield self.problem(
                f"{path}.stageTimeoutMs", "the stage timeout must be a positive number of ms or a ${...} expression"
            )
        if stage.restrict_execution_during_time_window and stage.restricted_execution_window is None:
            yield self.problem(
                f"{path}.restrictedExecutionWindow",
                "the execution window is switched on but not defined: give days and hours",
                "warning",
            )
        if stage.restricted_execution_window is not None:
            yield from self.window(stage.restricted_execution_window, f"{path}.restrictedExecutionWindow")
        events = model.JUDGMENT_EVENTS if isinstance(stage, model.ManualJudgment) else model.STAGE_EVENTS
        yield from self.notifications(stage.notifications, f"{path}.notifications", events)
        yield from self.expected_artifacts(stage.expected_artifacts, f"{path}.expectedArtifacts")
        yield from self.specific(stage, path, available)

    def window(self, window: model.ExecutionWindow, path: str) -> Iterator[Problem]:
        for index, day in enumerate(window.days):
            if not 1 <= day <= 7:
                yield self.problem(f"{path}.days[{index}]", "days run from 1 (Sunday) to 7 (Saturday)")
        for index, hours in enumerate(window.hours):
            for key, value, top in (
                ("startHour", hours.start_hour, 23),
                ("endHour", hours.end_hour, 23),
                ("startMin", hours.start_min, 59),
                ("endMin", hours.end_min, 59),
            ):
                if value is None or not 0 <= value <= top:
                    yield self.problem(f"{path}.whitelist[{index}].{key}", f"must be a number from 0 to {top}")

    def artifact_ref(self, ea_id: str | None, path: str, available: _Visible) -> Iterator[Problem]:
        if ea_id is not None and ea_id not in available:
            yield self.problem(
                path,
                f"no expected artifact {ea_id!r} is declared in the pipeline or produced by an upstream "
                "stage: declare it, or fix the id",
            )

    def specific(self, stage: model.Stage, path: str, available: _Visible) -> Iterator[Problem]:
        if isinstance(stage, model.DeployManifest | model.RunJobManifest):
            yield from self.manifest_stage(stage, path, available)
        if isinstance(stage, model.DeployManifest):
            if stage.moniker is None or not stage.moniker.app:
                yield self.problem(
                    f"{path}.moniker.app", "Deck always sets moniker.app to the application; clouddriver needs it"
                )
            for position, required in enumerate(stage.required_artifact_ids):
                yield from self.artifact_ref(required, f"{path}.requiredArtifactIds[{position}]", available)
            for position, bind in enumerate(stage.required_artifacts):
                yield from self.artifact_ref(
                    bind.expected_artifact_id, f"{path}.requiredArtifacts[{position}].expectedArtifactId", available
                )
            traffic = stage.traffic_management
            if traffic is not None and traffic.enabled and not (traffic.options and traffic.options.services):
                yield self.problem(
                    f"{path}.trafficManagement.options.services",
                    "traffic management is on but names no service: select at least one Service",
                )
        elif isinstance(stage, model.ManualJudgment):
            for position, judgment_input in enumerate(stage.judgment_inputs):
                if not judgment_input.value:
                    yield self.problem(f"{path}.judgmentInputs[{position}].value", "a judgment input needs a value")
        elif isinstance(stage, model.Wait):
            if stage.wait_time is None:
                yield self.problem(f"{path}.waitTime", "a wait stage needs waitTime (seconds)")
            elif isinstance(stage.wait_time, int) and stage.wait_time < 0:
                yield self.problem(f"{path}.waitTime", "waitTime cannot be negative")
        elif isinstance(stage, model.RunPipeline):
            if not stage.pipeline:
                yield self.problem(f"{path}.pipeline", "a pipeline stage needs the id of the pipeline to run")
        elif isinstance(stage, model.Webhook):
            for key, value in (("url", stage.url), ("method", stage.method)):
                if not value:
                    yield self.problem(f"{path}.{key}", f"a webhook stage needs {key}")
        elif isinstance(stage, model.FindArtifactFromExecution):
            for key, value in (("pipeline", stage.pipeline), ("application", stage.application)):
                if not value:
                    yield self.problem(f"{path}.{key}", f"findArtifactFromExecution needs {key}")
            if not stage.expected_artifacts and "expectedArtifact" not in stage.extra:
                yield self.problem(f"{path}.expectedArtifacts", "say which artifacts to find: add expected artifacts")
        elif isinstance(stage, model.BakeManifest):
            yield from self.bake(stage, path, available)
        elif isinstance(stage, _SelectorFields):
            yield from self.selector(stage, path)

    def manifest_stage(
        self, stage: model.DeployManifest | model.RunJobManifest, path: str, available: _Visible
    ) -> Iterator[Problem]:
        if not stage.account:
            yield self.problem(f"{path}.account", f"{stage.type} needs the Kubernetes account to deploy to")
        if stage.cloud_provider != "kubernetes":
            yield self.problem(
                f"{path}.cloudProvider", "set cloudProvider to 'kubernetes': orca otherwise assumes 'aws'"
            )
        if stage.source not in ("text", "artifact"):
            yield self.problem(f"{path}.source", "source must be 'text' or 'artifact'")
        elif stage.source == "artifact":
            if stage.manifest_artifact_id is None and stage.manifest_artifact is None:
                yield self.problem(
                    f"{path}.manifestArtifactId", "source is 'artifact' but no manifest artifact is chosen"
                )
            yield from self.artifact_ref(stage.manifest_artifact_id, f"{path}.manifestArtifactId", available)
            yield from self.manifest_account(stage, path)
        elif isinstance(stage, model.DeployManifest) and not stage.manifests:
            yield self.problem(f"{path}.manifests", "source is 'text' but no manifests are given")
        if isinstance(stage, model.RunJobManifest) and stage.source == "text":
            if not stage.manifest or stage.manifest.get("kind") != "Job":
                yield self.problem(f"{path}.manifest.kind", "a run-job stage runs a manifest of kind Job")

    def manifest_account(self, stage: model.DeployManifest | model.RunJobManifest, path: str) -> Iterator[Problem]:
        """The bound manifest artifact must carry an artifactAccount, or the stage fails at run time."""
        if getattr(stage, "manifest_artifact_account", None) or stage.extra.get("manifestArtifactAccount"):
            return
        if stage.manifest_artifact is not None:
            if not stage.manifest_artifact.artifact_account:
                yield self.problem(
                    f"{path}.manifestArtifact.artifactAccount",
                    "a manifest artifact needs an artifact account, or the deploy fails: set it",
                )
            return
        for ea in self.artifacts_by_id.get(stage.manifest_artifact_id or "", ()):
            if ea.match is None:
                continue
            match_account = ea.match.artifact_account
            default_account = ea.default.artifact_account if ea.default is not None else None
            if not match_account and not (ea.use_default_artifact and default_account):
                yield self.problem(
                    f"{path}.manifestArtifactId",
                    f"expected artifact {ea.id!r} is a manifest source but its matchArtifact has no "
                    "artifactAccount, so the deploy fails with 'No manifest artifact account was specified': "
                    "set artifact_account on the match",
                )
            if ea.match.type and ea.match.type.startswith(_MANIFEST_EXCLUDED):
                yield self.problem(
                    f"{path}.manifestArtifactId",
                    f"a {ea.match.type} artifact cannot be a manifest: choose a file artifact",
                )

    @functools.cached_property
    def artifacts_by_id(self) -> dict[str, list[model.ExpectedArtifact]]:
        """Every expected artifact of the pipeline and its stages, by id, in the order they are declared."""
        found: dict[str, list[model.ExpectedArtifact]] = {}
        for stage_artifacts in (self.pipeline.expected_artifacts, *(s.expected_artifacts for s in self.stages)):
            for ea in stage_artifacts:
                if ea.id is not None:
                    found.setdefault(ea.id, []).append(ea)
        return found

    def bake(self, stage: model.BakeManifest, path: str, available: _Visible) -> Iterator[Problem]:
        produced = stage.expected_artifacts
        if len(produced) != 1 or produced[0].match is None or produced[0].match.type != "embedded/base64":
            yield self.problem(
                f"{path}.expectedArtifacts",
                "a bake produces exactly one embedded/base64 artifact: declare exactly one",
            )
        if stage.template_renderer in ("HELM2", "HELM3", "HELMFILE") and not stage.output_name:
            yield self.problem(f"{path}.outputName", "a Helm bake needs outputName (the release name)")
        inputs = list(stage.input_artifacts)
        if stage.input_artifact is not None:
            inputs.append(stage.input_artifact)
        if not inputs:
            yield self.problem(f"{path}.inputArtifacts", "a bake needs at least one input artifact")
        for position, item in enumerate(stage.input_artifacts):
            yield from self.artifact_ref(item.id, f"{path}.inputArtifacts[{position}].id", available)

    def selector(self, stage: _SelectorFields, path: str) -> Iterator[Problem]:
        for key, value in (("account", stage.account), ("location", stage.location)):
            if not value:
                yield self.problem(f"{path}.{key}", f"{stage.type} needs {key}")
        if stage.mode == "static" and not stage.manifest_name:
            yield self.problem(f"{path}.manifestName", "static mode needs manifestName, such as 'deployment app'")
        if stage.mode == "dynamic":
            for key, value in (("cluster", stage.cluster), ("criteria", stage.criteria), ("kind", stage.kind)):
                if not value:
                    yield self.problem(f"{path}.{key}", f"dynamic mode needs {key}")
        if stage.mode == "label" and not stage.kinds:
            yield self.problem(f"{path}.kinds", "label mode needs kinds")
        if isinstance(stage, model.ScaleManifest) and stage.replicas is None:
            yield self.problem(f"{path}.replicas", "a scale stage needs replicas")
        if isinstance(stage, model.UndoRolloutManifest) and not stage.num_revisions_back:
            yield self.problem(f"{path}.numRevisionsBack", "an undo-rollout stage needs numRevisionsBack")

    # -- #judgment / #stage lookups -----------------------------------------------------------------

    def stage_lookups(self) -> Iterator[Problem]:
        names: dict[str, list[StageFields]] = {}
        for stage in self.stages:
            if stage.name:
                names.setdefault(stage.name, []).append(stage)
        for path, text in _strings(self.pipeline.to_dict(), "$"):
            for match in _STAGE_LOOKUP.finditer(text):
                function, name = match.group(1), match.group(3)
                found = names.get(name, [])
                if function in ("judgment", "judgement"):
                    found = [s for s in found if isinstance(s, model.ManualJudgment)]
                    what = "Manual Judgment stage"
                else:
                    found = found or [s for s in self.stages if s.ref_id == name]
                    what = "stage"
                if not found:
                    yield self.problem(
                        path,
                        f"#{function}({name!r}) names no {what} of this pipeline (lookups see only the same "
                        "pipeline, by exact, case-sensitive name): fix the name, or put both in one pipeline",
                    )
                elif len(found) > 1:
                    yield self.problem(
                        path, f"#{function}({name!r}) is ambiguous: {len(found)} stages have that name; rename one"
                    )


def _visible_artifacts(stages: Sequence[model.Stage], declared: set[str]) -> Iterator[tuple[int, _Visible]]:
    """Each stage index with the artifact ids it may refer to, stages upstream first.

    What each stage produces is carried down the stage graph in one pass, as a bit per stage-produced
    artifact, and each group's bits are held only until every stage below has read them: the cost stays
    linear for any shape (chains, fans, cycles, any listing order), where a set per stage is quadratic.
    """
    produced = [[ea.id for ea in stage.expected_artifacts if ea.id] for stage in stages]
    bit_of: dict[str, int] = {}
    for ids in produced:
        for ea_id in ids:
            if ea_id not in declared:
                bit_of.setdefault(ea_id, len(bit_of))
    parents = stage_parents(stages)
    groups = components(parents)
    group_of = [0] * len(stages)
    for number, group in enumerate(groups):
        for member in group:
            group_of[member] = number
    readers = [0] * len(groups)  # edges that will still read each group's bits
    for child, child_parents in enumerate(parents):
        for parent in child_parents:
            if group_of[parent] != group_of[child]:
                readers[group_of[parent]] += 1
    passed_on: dict[int, int] = {}  # group -> bits of what it and everything above it produce
    for number, group in enumerate(groups):
        above = 0
        for member in group:
            for parent in parents[member]:
                upstream = group_of[parent]
                if upstream != number:
                    above |= passed_on[upstream]
                    readers[upstream] -= 1
                    if not readers[upstream]:
                        del passed_on[upstream]
        # In a cycle every stage runs before every other one: each sees the others' artifacts.
        in_cycle: dict[str, int] = {}
        if len(group) > 1:
            for member in group:
                for ea_id in produced[member]:
                    in_cycle[ea_id] = in_cycle.get(ea_id, 0) + 1
        own = above
        for member in group:
            yield member, _Visible(declared, bit_of, above, in_cycle, produced[member])
            for ea_id in produced[member]:
                if ea_id in bit_of:
                    own |= 1 << bit_of[ea_id]
        if readers[number]:
            passed_on[number] = own


@attrs.frozen
class _Visible:
    """The artifact ids a stage may refer to: declared by the pipeline, or produced by a stage above it."""

    declared: set[str]
    bit_of: dict[str, int]
    above: int
    """Bits (``bit_of``) of the artifacts produced by the stages above, outside the stage's own cycle."""
    in_cycle: dict[str, int]
    """How many stages of the stage's cycle produce each artifact id (empty outside a cycle)."""
    own: list[str]

    def __contains__(self, ea_id: object) -> bool:
        if not isinstance(ea_id, str):
            return False
        if ea_id in self.declared:
            return True
        bit = self.bit_of.get(ea_id)
        if bit is not None and self.above >> bit & 1:
            return True
        return self.in_cycle.get(ea_id, 0) > self.own.count(ea_id)


def _is_empty(artifact: _ArtifactFields) -> bool:
    return artifact.type is None and artifact.name is None and artifact.reference is None and not artifact.extra


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, child_path(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _find_cycle(parents: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """A cycle in the stage graph as a list of refIds, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in parents:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(parents.get(start, ())))]
        trail = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                trail.pop()
                continue
            if child not in parents:
                continue
            if state.get(child) == 1:
                return [*trail[trail.index(child) :], child]
            if not state.get(child):
                state[child] = 1
                trail.append(child)
                stack.append((child, iter(parents.get(child, ()))))
    return None
