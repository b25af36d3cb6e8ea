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


# Rules whose run-time failure the simulator does not reproduce (it does not model that part of Spinnaker, or
# orca carries on) are warnings until it does; tests/test_checks_proven.py proves the errors.
_UNCONFIRMED: Severity = "warning"
_PIPELINE_STATUSES = {"successful", "failed", "canceled", "suspended"}
_STAGE_LOOKUP = re.compile(r"#(judgment|judgement|stage)\(\s*(['\"])(.*?)\2\s*\)")
# The fields each trigger type needs: Deck's trigger validators, plus what echo matches on.
_TRIGGER_REQUIRED: dict[type, tuple[str, ...]] = {
    model.DockerTrigger: ("account", "repository"),
    # echo BuildEventHandler.java:119-133 drops a build trigger unless it has both job and master
    model.JenkinsTrigger: ("master", "job"),
    model.HelmTrigger: ("account", "chart", "version"),
    model.PipelineTrigger: ("pipeline",),
    model.CronTrigger: ("cron_expression",),
    model.GitTrigger: ("source", "project", "slug"),
    model.WebhookTrigger: ("source",),
    model.PubsubTrigger: ("pubsub_system", "subscription_name"),
}
_MANIFEST_EXCLUDED = ("docker/image", "kubernetes/", "front50/pipelineTemplate", "maven/file")
# The artifact types echo puts on each trigger's event (runtime reference 1.2: DockerEventHandler.java:67-130,
# GitHubArtifactExtractor.java:44-65, GitlabV4ArtifactExtractor.java:51-76, no Bitbucket extractor,
# HelmEventHandler.java:50-118; a cron start carries none). Triggers not listed here can carry anything.
_GIT_ARTIFACT_TYPES = {"github": ("github/file",), "gitlab": ("gitlab/file",), "bitbucket": ()}
_JUDGMENT_EQUALS = re.compile(r"^\s*(?:\$\{)?\s*#judge?ment\(\s*(['\"])(.*?)\1\s*\)\s*==\s*(['\"])(.*?)\3\s*\}?\s*$")


def _event_artifact_types(trigger: model.Trigger) -> tuple[str, ...] | None:
    """The artifact types a trigger's event can carry, or None when any may come."""
    if isinstance(trigger, model.DockerTrigger):
        return ("docker/image",)
    if isinstance(trigger, model.HelmTrigger):
        return ("helm/chart",)
    if isinstance(trigger, model.CronTrigger):
        return ()
    if isinstance(trigger, model.GitTrigger):
        return _GIT_ARTIFACT_TYPES.get((trigger.source or "").lower())
    return None


def _field_matches(pattern: str | None, value: str | None) -> bool:
    """kork ExpectedArtifact.matches for one field: empty is a wildcard, else equal or a full regex match."""
    if not pattern:
        return True
    if value is None:
        return False
    if pattern == value:
        return True
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def _same_type(pattern: str | None, value: str) -> bool:
    # ExpectedArtifact.java:130-144: embedded/base64 and remote/base64 are one type
    base64 = ("embedded/base64", "remote/base64")
    return _field_matches(pattern, value) or (pattern in base64 and value in base64)


_KEYS: dict[tuple[type, str], str] = {}


def _key(cls: type, field_name: str) -> str:
    """The wire key of a field, for JSON paths (the codec's table, imported when first used: it is heavy)."""
    key = _KEYS.get((cls, field_name))
    if key is None:
        from spinpromote.codec import wire_path

        key = _KEYS[cls, field_name] = wire_path(cls, field_name)
    return key


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
        extra = self.pipeline.extra
        if "pipeline" in extra and "metadata" in extra and "schema" in extra:
            # a v2 pipeline template (front50 /v2/pipelineTemplates): schema, metadata, variables, pipeline
            yield self.problem(
                "$",
                "this is a pipeline template, not a pipeline: save it with `spin pipeline-template save`, and "
                "check the templated pipelines that use it",
            )
            return
        if (extra.get("schema") is not None and "template" in extra) or extra.get("type") == "templatedPipeline":
            # a templated pipeline (v2 "schema"/"template"/"variables"/stage "inject"): orca renders the
            # template's stages first (orca-pipelinetemplate V2SchemaExecutionGenerator), so its own stages
            # may point at stages only the template has
            yield self.problem(
                "$.template",
                "a templated pipeline: Spinnaker renders its stages from the template, so only its own fields, "
                "triggers and artifacts are checked here; render the template to check the stages",
                "warning",
            )
            yield from self.identity()
            yield from self.expected_artifacts(self.pipeline.expected_artifacts, "$.expectedArtifacts")
            for index, trigger in enumerate(self.pipeline.triggers):
                yield from self.trigger(trigger, f"$.triggers[{index}]")
            return
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
            yield self.problem(
                "$.id", "a pipeline id must be 1 to 255 characters: leave it unset or fix it", _UNCONFIRMED
            )
        from spinpromote.codec import is_written  # the codec knows whether the key was there

        if not is_written(p, "stages"):
            yield self.problem("$.stages", "orca fails on a pipeline without stages: use an empty list")

    def parameters(self) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, parameter in enumerate(self.pipeline.parameters):
            path = f"$.{_key(model.Pipeline, 'parameters')}[{index}]"
            if not parameter.name:
                yield self.problem(f"{path}.name", "every parameter needs a name", _UNCONFIRMED)
            elif parameter.name in seen:
                yield self.problem(
                    f"{path}.name", f"parameter {parameter.name!r} is defined twice: rename one", _UNCONFIRMED
                )
            else:
                seen.add(parameter.name)

    def expected_artifacts(self, artifacts: Sequence[model.ExpectedArtifact], path: str) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, ea in enumerate(artifacts):
            here = f"{path}[{index}]"
            if not ea.id:
                yield self.problem(
                    f"{here}.id", "an expected artifact needs an id that stages and triggers refer to", _UNCONFIRMED
                )
            elif ea.id in seen or (path != "$.expectedArtifacts" and ea.id in self.declared):
                yield self.problem(
                    f"{here}.id", f"expected artifact id {ea.id!r} is used twice: make it unique", _UNCONFIRMED
                )
            else:
                seen.add(ea.id)
            if ea.match is None or _is_empty(ea.match):
                yield self.problem(
                    f"{here}.{_key(model.ExpectedArtifact, 'match')}",
                    "every expected artifact must say what it matches (without a matcher it matches anything): "
                    "give at least a type and a name",
                    _UNCONFIRMED,
                )
            elif not ea.match.type or not ea.match.name:
                yield self.problem(
                    f"{here}.{_key(model.ExpectedArtifact, 'match')}",
                    "a matcher without both type and name can match several artifacts, and orca then fails "
                    "with 'matches multiple artifacts': give both",
                    "warning",
                )
            if ea.use_default_artifact and ea.default is None:
                yield self.problem(
                    f"{here}.{_key(model.ExpectedArtifact, 'default')}",
                    "useDefaultArtifact is on but there is no default artifact: add one",
                )

    def notifications(
        self, notifications: Sequence[model.Notification], path: str, allowed: Sequence[str]
    ) -> Iterator[Problem]:
        for index, notification in enumerate(notifications):
            here = f"{path}[{index}]"
            if not notification.type:
                yield self.problem(f"{here}.type", "a notification needs a type such as slack or email", _UNCONFIRMED)
            if not notification.address and notification.type not in ("githubStatus", "pubsub"):
                yield self.problem(
                    f"{here}.address", "a notification needs an address (channel, email, ...)", _UNCONFIRMED
                )
            for position, when in enumerate(notification.when):
                if when not in allowed:
                    yield self.problem(
                        f"{here}.when[{position}]",
                        f"{when!r} never fires here; use one of {', '.join(allowed)}",
                        _UNCONFIRMED,
                    )

    # -- triggers -----------------------------------------------------------------------------------

    def trigger(self, trigger: model.Trigger, path: str) -> Iterator[Problem]:
        if trigger.enabled is not None and not isinstance(trigger.enabled, bool):
            yield self.problem(f"{path}.enabled", "must be true or false: orca treats the string 'false' as on")
        for position, ea_id in enumerate(trigger.expected_artifact_ids):
            if ea_id not in self.declared:
                yield self.problem(
                    f"{path}.{_key(type(trigger), 'expected_artifact_ids')}[{position}]",
                    f"no expected artifact {ea_id!r} is declared in this pipeline: declare it or remove the id",
                )
        yield from self.trigger_artifacts(trigger, path)
        for attribute in _TRIGGER_REQUIRED.get(type(trigger), ()):
            key = _key(type(trigger), attribute)
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
                        _UNCONFIRMED,
                    )
        if isinstance(trigger, model.CronTrigger) and trigger.cron_expression:
            if len(trigger.cron_expression.split()) not in (6, 7):
                yield self.problem(
                    f"{path}.{_key(model.CronTrigger, 'cron_expression')}",
                    "Spinnaker reads Quartz cron expressions: 6 or 7 fields, starting with seconds",
                )

    def trigger_artifacts(self, trigger: model.Trigger, path: str) -> Iterator[Problem]:
        """Listed artifacts the trigger's event can never carry; a Docker trigger whose image nothing matches."""
        listed = [
            (position, ea)
            for position, ea_id in enumerate(trigger.expected_artifact_ids)
            for ea in self.pipeline.expected_artifacts
            if ea.id == ea_id and ea.match is not None
        ]
        types = _event_artifact_types(trigger)
        if types is not None:
            for position, ea in listed:
                assert ea.match is not None
                fallback = (ea.use_default_artifact and ea.default is not None) or ea.use_prior_artifact
                if not fallback and not any(_same_type(ea.match.type, kind) for kind in types):
                    yield self.problem(
                        f"{path}.{_key(type(trigger), 'expected_artifact_ids')}[{position}]",
                        f"a {trigger.type} trigger never carries a {ea.match.type} artifact and "
                        f"{ea.display_name or ea.id!r} has no default, so every start fails with 'Unmatched "
                        "expected artifact': give it a default (use_default_artifact=True), or start the "
                        "pipeline with a trigger that carries it",
                    )
        if isinstance(trigger, model.DockerTrigger) and trigger.registry and trigger.repository and listed:
            # DockerEventHandler.java:67-130 names the pushed image registry/repository; the artifact gate
            # (ArtifactMatcher.java:38-71) opens only if a listed expected artifact matches it.
            image = f"{trigger.registry}/{trigger.repository}"
            if not any(
                _same_type(ea.match.type, "docker/image") and _field_matches(ea.match.name, image)
                for _, ea in listed
                if ea.match is not None
            ):
                yield self.problem(
                    f"{path}.{_key(model.DockerTrigger, 'repository')}",
                    f"a push carries the image {image!r}, which no artifact listed on this trigger matches, so "
                    f"echo never starts the pipeline: match DockerImage(image={image!r}) (registry included)",
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
            yield self.problem(
                f"$.stages[{index}].{_key(StageFields, 'ref_id')}", "every stage needs a refId: set one", _UNCONFIRMED
            )
        seen: dict[str, int] = {}
        for index, stage in enumerate(self.stages):
            if stage.ref_id is None:
                continue
            if not isinstance(stage.ref_id, str):
                yield self.problem(
                    f"$.stages[{index}].{_key(StageFields, 'ref_id')}", "refIds must be strings: orca casts them"
                )
            elif stage.ref_id in seen:
                yield self.problem(
                    f"$.stages[{index}].{_key(StageFields, 'ref_id')}",
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
                        f"$.stages[{index}].{_key(StageFields, 'requisite_stage_ref_ids')}[{position}]",
                        f"no stage has refId {parent!r}: point at an existing stage",
                    )
        if not initial:
            yield self.problem("$.stages", "no stage starts the pipeline: give one stage an empty requisiteStageRefIds")
        cycle = _find_cycle({s.ref_id: tuple(s.requisite_stage_ref_ids) for s in self.stages if s.ref_id})
        if cycle:
            index = seen[cycle[0]]
            yield self.problem(
                f"$.stages[{index}].{_key(StageFields, 'requisite_stage_ref_ids')}",
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
                f"{path}.{_key(StageFields, 'stage_timeout_ms')}",
                "the stage timeout must be a positive number of ms or a ${...} expression",
                "warning",  # not confirmed by the simulator: the stage simply runs
            )
        if stage.restrict_execution_during_time_window and stage.restricted_execution_window is None:
            yield self.problem(
                f"{path}.{_key(StageFields, 'restricted_execution_window')}",
                "the execution window is switched on but not defined: give days and hours",
                "warning",
            )
        if stage.restricted_execution_window is not None:
            yield from self.window(
                stage.restricted_execution_window, f"{path}.{_key(StageFields, 'restricted_execution_window')}"
            )
        events = model.JUDGMENT_EVENTS if isinstance(stage, model.ManualJudgment) else model.STAGE_EVENTS
        yield from self.notifications(stage.notifications, f"{path}.notifications", events)
        yield from self.expected_artifacts(
            stage.expected_artifacts, f"{path}.{_key(StageFields, 'expected_artifacts')}"
        )
        yield from self.specific(stage, path, available)
        yield from self.judgment_condition(stage, path)

    def judgment_condition(self, stage: model.Stage, path: str) -> Iterator[Problem]:
        """``#judgment('X') == 'v'`` with a value the judgment never offers skips the stage every time."""
        expression = stage.stage_enabled.expression if stage.stage_enabled is not None else None
        found = _JUDGMENT_EQUALS.match(expression) if isinstance(expression, str) else None
        if found is None:
            return
        name, value = found.group(2), found.group(4)
        judgments = [s for s in self.stages if isinstance(s, model.ManualJudgment) and s.name == name]
        if len(judgments) != 1:
            return  # stage_lookups reports a missing or ambiguous name
        offered = [item.value for item in judgments[0].judgment_inputs if item.value]
        if value not in offered:
            # OptionalStageSupport.java:71-130: false skips the stage, and a skipped stage counts as success
            choice = f"offers only {', '.join(map(repr, offered))}" if offered else "offers no inputs to choose"
            yield self.problem(
                f"{path}.{_key(StageFields, 'stage_enabled')}.expression",
                f"judgment {name!r} {choice}, so this stage is always SKIPPED and the pipeline still succeeds: "
                f"compare with one of the judgment's inputs, or add {value!r} to them",
            )

    def window(self, window: model.ExecutionWindow, path: str) -> Iterator[Problem]:
        for index, day in enumerate(window.days):
            if not 1 <= day <= 7:
                yield self.problem(f"{path}.days[{index}]", "days run from 1 (Sunday) to 7 (Saturday)")
        hours_key = _key(model.ExecutionWindow, "hours")
        for index, hours in enumerate(window.hours):
            for field, top in (("start_hour", 23), ("end_hour", 23), ("start_min", 59), ("end_min", 59)):
                value = getattr(hours, field)
                if value is None or not 0 <= value <= top:
                    yield self.problem(
                        f"{path}.{hours_key}[{index}].{_key(model.HourRange, field)}",
                        f"must be a number from 0 to {top}",
                    )

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
                yield from self.artifact_ref(
                    required, f"{path}.{_key(model.DeployManifest, 'required_artifact_ids')}[{position}]", available
                )
            for position, bind in enumerate(stage.required_artifacts):
                yield from self.artifact_ref(
                    bind.expected_artifact_id,
                    f"{path}.{_key(model.DeployManifest, 'required_artifacts')}[{position}]"
                    f".{_key(model.BindArtifact, 'expected_artifact_id')}",
                    available,
                )
            traffic = stage.traffic_management
            if traffic is not None and traffic.enabled and not (traffic.options and traffic.options.services):
                yield self.problem(
                    f"{path}.{_key(model.DeployManifest, 'traffic_management')}.options.services",
                    "traffic management is on but names no service: select at least one Service",
                    _UNCONFIRMED,
                )
        elif isinstance(stage, model.ManualJudgment):
            # ManualJudgmentStage.groovy:123-144: "awaiting" is always sent; continue/stop need sendNotifications
            if stage.notifications and not stage.send_notifications:
                for index, notification in enumerate(stage.notifications):
                    if set(notification.when) & {"manualJudgmentContinue", "manualJudgmentStop"}:
                        yield self.problem(
                            f"{path}.notifications[{index}].when",
                            "continue and stop notifications are sent only with sendNotifications: true: set it",
                            "warning",
                        )
            for position, judgment_input in enumerate(stage.judgment_inputs):
                if not judgment_input.value:
                    yield self.problem(
                        f"{path}.{_key(model.ManualJudgment, 'judgment_inputs')}[{position}].value",
                        "a judgment input without a value offers nothing to choose: give it a value",
                        "warning",  # the judgment still waits and continues
                    )
        elif isinstance(stage, model.Wait):
            if stage.wait_time is None:
                yield self.problem(
                    f"{path}.{_key(model.Wait, 'wait_time')}",
                    "without waitTime orca does not wait at all (WaitStage.java:40-58; Deck writes 30): set it",
                )
            elif isinstance(stage.wait_time, int) and stage.wait_time < 0:
                yield self.problem(
                    f"{path}.{_key(model.Wait, 'wait_time')}", "a negative waitTime does not wait at all: fix it"
                )
        elif isinstance(stage, model.RunPipeline):
            if not stage.pipeline:
                yield self.problem(f"{path}.pipeline", "a pipeline stage needs the id of the pipeline to run")
        elif isinstance(stage, model.Webhook):
            for key, value in (("url", stage.url), ("method", stage.method)):
                if not value:  # a warning: the simulator does not model the call, so it cannot confirm the failure
                    yield self.problem(f"{path}.{key}", f"a webhook stage needs {key}", "warning")
        elif isinstance(stage, model.FindArtifactFromExecution):
            if not stage.pipeline:
                yield self.problem(f"{path}.pipeline", "findArtifactFromExecution needs the pipeline id to look in")
            if not stage.application:  # orca looks the pipeline up by id alone (FindArtifactFromExecutionTask)
                yield self.problem(f"{path}.application", "Deck writes the application: set it", _UNCONFIRMED)
            if not stage.expected_artifacts and "expectedArtifact" not in stage.extra:
                yield self.problem(
                    f"{path}.{_key(StageFields, 'expected_artifacts')}",
                    "say which artifacts to find: add expected artifacts",
                    _UNCONFIRMED,
                )
        elif isinstance(stage, model.BakeManifest):
            yield from self.bake(stage, path, available)
        elif isinstance(stage, _SelectorFields):
            yield from self.selector(stage, path)

    def manifest_stage(
        self, stage: model.DeployManifest | model.RunJobManifest, path: str, available: _Visible
    ) -> Iterator[Problem]:
        if not stage.account:
            # clouddriver refuses the operation: "credentials are required" (proven in the simulator)
            yield self.problem(f"{path}.account", f"{stage.type} needs the Kubernetes account to deploy to")
        if stage.cloud_provider != "kubernetes":
            yield self.problem(
                f"{path}.{_key(type(stage), 'cloud_provider')}",
                "set cloudProvider to 'kubernetes': orca otherwise assumes 'aws'",
                _UNCONFIRMED,
            )
        from spinpromote.codec import is_written  # the codec knows whether the key was there

        if not is_written(stage, "source") and stage.manifest_artifact_id is not None:
            # orca's DeployManifestContext defaults source to text: without the key the artifact is ignored
            yield self.problem(
                f"{path}.source",
                "without source orca reads the text manifests and ignores manifestArtifactId: set source 'artifact'",
            )
        elif stage.source not in ("text", "artifact", None):
            yield self.problem(f"{path}.source", "source must be 'text' or 'artifact'")
        elif stage.source == "artifact":
            if stage.manifest_artifact_id is None and stage.manifest_artifact is None:
                yield self.problem(
                    f"{path}.{_key(type(stage), 'manifest_artifact_id')}",
                    "source is 'artifact' but no manifest artifact is chosen",
                )
            yield from self.artifact_ref(
                stage.manifest_artifact_id, f"{path}.{_key(type(stage), 'manifest_artifact_id')}", available
            )
            yield from self.manifest_account(stage, path)
        elif isinstance(stage, model.DeployManifest) and not stage.manifests:
            yield self.problem(f"{path}.manifests", "source is 'text' but no manifests are given")
        if isinstance(stage, model.RunJobManifest) and stage.source == "text":
            if not stage.manifest or stage.manifest.get("kind") != "Job":
                yield self.problem(f"{path}.manifest.kind", "a run-job stage runs a manifest of kind Job", _UNCONFIRMED)

    def manifest_account(self, stage: model.DeployManifest | model.RunJobManifest, path: str) -> Iterator[Problem]:
        """The bound manifest artifact must carry an artifactAccount, or the stage fails at run time."""
        if getattr(stage, "manifest_artifact_account", None) or stage.extra.get("manifestArtifactAccount"):
            return
        if stage.manifest_artifact is not None:
            if not stage.manifest_artifact.artifact_account:
                yield self.problem(
                    f"{path}.{_key(type(stage), 'manifest_artifact')}.{_key(_ArtifactFields, 'artifact_account')}",
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
                    f"{path}.{_key(type(stage), 'manifest_artifact_id')}",
                    f"expected artifact {ea.id!r} is a manifest source but its matchArtifact has no "
                    "artifactAccount, so the deploy fails with 'No manifest artifact account was specified': "
                    "set artifact_account on the match",
                )
            if ea.match.type and ea.match.type.startswith(_MANIFEST_EXCLUDED):
                yield self.problem(
                    f"{path}.{_key(type(stage), 'manifest_artifact_id')}",
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
                f"{path}.{_key(StageFields, 'expected_artifacts')}",
                "a bake produces exactly one embedded/base64 artifact: declare exactly one",
            )
        if stage.template_renderer in ("HELM2", "HELM3", "HELMFILE") and not stage.output_name:
            yield self.problem(
                f"{path}.{_key(model.BakeManifest, 'output_name')}",
                "a Helm bake needs outputName (the release name)",
                _UNCONFIRMED,
            )
        inputs = list(stage.input_artifacts)
        if stage.input_artifact is not None:
            inputs.append(stage.input_artifact)
        if not inputs:
            yield self.problem(
                f"{path}.{_key(model.BakeManifest, 'input_artifacts')}", "a bake needs at least one input artifact"
            )
        for position, item in enumerate(stage.input_artifacts):
            yield from self.artifact_ref(
                item.id, f"{path}.{_key(model.BakeManifest, 'input_artifacts')}[{position}].id", available
            )

    def selector(self, stage: _SelectorFields, path: str) -> Iterator[Problem]:
        for key, value in (("account", stage.account), ("location", stage.location)):
            if not value:
                yield self.problem(f"{path}.{key}", f"{stage.type} needs {key}", _UNCONFIRMED)
        if stage.mode == "static" and not stage.manifest_name:
            yield self.problem(
                f"{path}.{_key(type(stage), 'manifest_name')}",
                "static mode needs manifestName, such as 'deployment app'",
            )
        if stage.mode == "dynamic":
            for key, value in (("cluster", stage.cluster), ("criteria", stage.criteria), ("kind", stage.kind)):
                if not value:
                    yield self.problem(f"{path}.{key}", f"dynamic mode needs {key}", _UNCONFIRMED)
        if stage.mode == "label" and not stage.kinds:
            yield self.problem(f"{path}.kinds", "label mode needs kinds", _UNCONFIRMED)
        if isinstance(stage, model.ScaleManifest) and stage.replicas is None:
            yield self.problem(f"{path}.replicas", "a scale stage needs replicas", _UNCONFIRMED)
        if isinstance(stage, model.UndoRolloutManifest) and not stage.num_revisions_back:
            yield self.problem(
                f"{path}.{_key(model.UndoRolloutManifest, 'num_revisions_back')}",
                "an undo-rollout stage needs numRevisionsBack",
            )

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
                        path,
                        f"#{function}({name!r}) is ambiguous: {len(found)} stages have that name, and orca takes the "
                        "first; rename one",
                        _UNCONFIRMED,
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
