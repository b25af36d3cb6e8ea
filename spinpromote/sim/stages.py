"""What each stage type does when orca runs it, over execution JSON.

Every handler returns an `Outcome`: a final status (the failure flags are applied afterwards by
`Orca.complete_stage`), or RUNNING after scheduling its own re-run (waits, windows) or while it waits for
someone (a judgment, a child pipeline). Stage types whose effect lies outside Spinnaker succeed unless an
outcome is scripted (``Spinnaker(outcomes={stage name: status})``), and the execution notes say so.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from spinpromote.sim.artifacts import describe_expected, union
from spinpromote.sim.clouddriver import (
    Fetched,
    FetchError,
    bind_images,
    check_account,
    created_artifacts,
    fetch,
    manifest_namespace,
)
from spinpromote.sim.resolution import (
    ResolutionError,
    all_artifacts,
    ancestors,
    bound_artifact,
    resolve_in_stage,
    stage_artifacts,
)
from spinpromote.sim.results import Deployment, Rollback, to_artifact
from spinpromote.sim.spel import EvaluationError, NotSimulated, Scope, evaluate_string, evaluate_value
from spinpromote.sim.windows import WindowNeverOpens, next_opening

if TYPE_CHECKING:
    from spinpromote.sim.orca import Orca

__all__ = ["Outcome", "await_window", "evaluate_context", "label", "run", "scope_for", "stage_enabled"]

Json = dict[str, Any]

JUDGMENT_TIMEOUT_MS = 3 * 24 * 3600 * 1000  # ManualJudgmentStage.groovy:72-74
SCRIPTABLE = "SUCCEEDED", "TERMINAL", "FAILED_CONTINUE", "STOPPED", "CANCELED"


@attrs.frozen(kw_only=True)
class Outcome:
    """A stage's result: its status, outputs and context additions, and the error message orca shows.

    ```pycon
    >>> Outcome(status="TERMINAL", error="No manifest artifact was specified.").error
    'No manifest artifact was specified.'

    ```
    """

    status: str
    outputs: Json = attrs.field(factory=dict)
    context: Json = attrs.field(factory=dict)
    error: str | None = None


_RUNNING = Outcome(status="RUNNING")


def label(execution: Mapping[str, Any]) -> str:
    """How the timeline names an execution: its pipeline's name and the end of its id."""
    return f"{execution.get('name')!r} ({execution['id'][-6:]})"


class _Status(str):
    """An ExecutionStatus enum as SpEL sees it: equal to a string only after ``.toString()``."""

    __slots__ = ()


def _stage_view(stage: Json) -> Json:
    return {**stage, "status": _Status(stage["status"])}


def scope_for(orca: Orca, execution: Json, stage: Json) -> Scope:
    """The names a stage's expressions see (ContextParameterProcessor.java:158-279; StageContext.java:57-67)."""

    def judgment(name: Any) -> Any:
        # StageExpressionFunctionProvider.java:183-211: first MJ stage with that name and an input
        for candidate in execution["stages"]:
            if (
                candidate.get("type") == "manualJudgment"
                and candidate.get("name") == name
                and candidate["context"].get("judgmentInput") is not None
            ):
                return candidate["context"]["judgmentInput"]
        raise EvaluationError(
            f"Unable to locate manual Judgment stage [{name}] using #judgment({name}) in execution "
            f"{execution['id']}. Stage doesn't exist or doesn't contain judgmentInput in its context "
        )

    def stage_named(name: Any) -> Any:
        # StageExpressionFunctionProvider.java:152-174: first stage whose name or id equals it
        for candidate in execution["stages"]:
            if name in (candidate.get("name"), candidate.get("id")):
                return _stage_view(candidate)
        raise EvaluationError(f"Unable to locate [{name}] using #stage({name}) in execution {execution['id']}")

    def resolved_artifact(name: Any) -> Any:
        # ArtifactExpressionFunctionProvider.java:65-88
        for expected in execution["trigger"].get("resolvedExpectedArtifacts") or []:
            bound = expected.get("boundArtifact") or {}
            if bound.get("name") == name:
                return bound
        raise EvaluationError(f"Unable to locate resolved artifact with name {name}")

    def fallback(name: str) -> Any:
        for ancestor in ancestors(execution, stage)[1:]:
            outputs = ancestor.get("outputs") or {}
            if name in outputs:
                return outputs[name]
        return None

    names: dict[str, Any] = dict(stage["context"])
    names.update(
        execution=execution, trigger=execution["trigger"], parameters=execution["trigger"].get("parameters") or {}
    )
    functions: dict[str, Callable[..., Any]] = {
        "judgment": judgment,
        "judgement": judgment,
        "stage": stage_named,
        "triggerResolvedArtifact": resolved_artifact,
    }
    return Scope(names, functions=functions, fallback=fallback)


def _condition(orca: Orca, execution: Json, stage: Json, expression: str, errors: list[str]) -> Any:
    """A condition written with or without ``${}``, evaluated in the stage's scope (orca wraps it in ``${}``)."""
    text = expression if expression.startswith("${") else "${" + expression + "}"
    return evaluate_string(text, scope_for(orca, execution, stage), errors)


def stage_enabled(orca: Orca, execution: Json, stage: Json) -> bool:
    """OptionalStageSupport.java:71-130: only ``expression`` is supported; anything but true (errors too) skips."""
    spec = stage["context"].get("stageEnabled")
    if not isinstance(spec, Mapping) or not spec:
        return True
    if str(spec.get("type", "")).lower() != "expression":
        orca.note(
            execution, f"stage {stage['name']!r}: stageEnabled type {spec.get('type')!r} is not simulated; ran it"
        )
        return True
    expression = str(spec.get("expression") or "").strip()
    if not expression:
        return True
    errors: list[str] = []
    try:
        value = _condition(orca, execution, stage, expression, errors)
    except NotSimulated as missing:
        orca.note(execution, f"stage {stage['name']!r}: {missing}; the stage ran as if it were true")
        return True
    if value is True:
        return True
    reason = errors[0] if errors else f"{expression!r} is {value!r}"
    orca.note(execution, f"stage {stage['name']!r} skipped: stageEnabled {reason}")
    return False


_NOT_EVALUATED = frozenset({"stageEnabled", "expectedArtifacts", "judgmentStatus", "judgmentInput", "exception"})


def evaluate_context(orca: Orca, execution: Json, stage: Json) -> None:
    """Evaluate ``${...}`` in the stage context when it starts (ExpressionAware.kt:50-76); failures keep the text."""
    context = stage["context"]
    skipped = _NOT_EVALUATED | ({"manifests"} if context.get("skipExpressionEvaluation") else set())
    if not any("${" in repr(value) for key, value in context.items() if key not in skipped):
        return
    errors: list[str] = []
    scope = scope_for(orca, execution, stage)
    for key in list(context):
        if key in skipped:
            continue
        try:
            context[key] = evaluate_value(context[key], scope, errors)
        except NotSimulated as missing:
            orca.note(execution, f"stage {stage['name']!r}: {missing}; left as written")
    if errors:
        context["expressionEvaluationSummary"] = errors
        for error in errors:
            orca.note(execution, f"stage {stage['name']!r}: {error}")


def await_window(orca: Orca, execution: Json, stage: Json) -> None:
    """RestrictExecutionDuringTimeWindow.java:123-167: stay RUNNING until the window opens, then run."""
    window = stage["context"].get("restrictedExecutionWindow") or {}
    if (window.get("jitter") or {}).get("enabled"):
        orca.note(execution, f"stage {stage['name']!r}: window jitter not simulated")
    try:
        opening = next_opening(orca.clock.now, window)
    except WindowNeverOpens as never:
        # orca keeps re-checking every 30 s until the wait task's 7-day timeout fails the stage (:123-167)
        orca.note(execution, f"stage {stage['name']!r}: {never}; it fails at the 7-day window timeout, in our words")
        orca.clock.at(orca.clock.now + _WINDOW_TIMEOUT_MS, lambda: _window_timed_out(orca, execution, stage))
        return
    if opening <= orca.clock.now:
        orca.run_task(execution, stage)
        return
    stage["context"]["scheduledTime"] = opening
    orca.log(f"{label(execution)} stage {stage['name']!r} waits for its execution window")
    orca.clock.at(opening, lambda: orca.run_task(execution, stage))


_WINDOW_TIMEOUT_MS = 7 * 24 * 3_600_000


def _window_timed_out(orca: Orca, execution: Json, stage: Json) -> None:
    if execution["status"] == "RUNNING" and stage["status"] == "RUNNING":
        orca.complete_stage(
            execution,
            stage,
            "TERMINAL",
            error=f"Stage {stage['name']} timed out waiting for its execution window after 7 days",
        )


def _fail(message: str) -> Outcome:
    return Outcome(status="TERMINAL", error=message)


def _scripted(orca: Orca, execution: Json, stage: Json) -> Outcome | None:
    status = orca.outcomes.get(stage.get("name") or "")
    if status is None:
        return None
    orca.note(execution, f"stage {stage['name']!r}: scripted outcome {status}")
    return Outcome(status=status, error=None if status == "SUCCEEDED" else f"Scripted outcome: {status}")


# Stages that orca hands to clouddriver as a Kubernetes operation, which names its account.
_CLOUDDRIVER_OPERATIONS = frozenset(
    {
        "deployManifest",
        "deleteManifest",
        "scaleManifest",
        "patchManifest",
        "enableManifest",
        "disableManifest",
        "undoRolloutManifest",
        "rollingRestartManifest",
        "runJobManifest",
    }
)


def run(orca: Orca, execution: Json, stage: Json) -> Outcome:
    """Run one stage's work once."""
    context = stage["context"]
    if stage.get("type") in _CLOUDDRIVER_OPERATIONS and not (context.get("account") or context.get("credentials")):
        # clouddriver refuses an operation that names no account:
        # clouddriver-core/.../security/AbstractAtomicOperationsCredentialsSupport.java:30 (v5.95.0)
        return _fail("credentials are required")
    handler = _HANDLERS.get(str(stage.get("type")))
    if handler is not None:
        return handler(orca, execution, stage)
    scripted = _scripted(orca, execution, stage)
    if scripted is not None:
        return scripted
    orca.note(execution, f"stage {stage['name']!r} ({stage.get('type')}): effect not modelled; it succeeded")
    return Outcome(status="SUCCEEDED")


# -- Manual Judgment, Wait ------------------------------------------------------------------------


def _manual_judgment(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # ManualJudgmentStage.groovy:92-116; the judgment is read when the task runs again after a PATCH
    context = stage["context"]
    timeout = context.get("stageTimeoutMs") or JUDGMENT_TIMEOUT_MS
    deadline = stage["startTime"] + int(timeout)
    decision = str(context.get("judgmentStatus") or "").lower()
    if decision in ("continue", "stop"):
        required = context.get("requiredJudgmentRoles") or context.get("selectedStageRoles") or []
        judge = context.get("lastModifiedBy") or "anonymous"
        if required and orca.roles is not None and not (orca.roles.get(judge, set()) & set(required)):
            # ManualJudgmentAuthorization.java:59-92: not authorized, so the judgment is reset and it waits
            context["judgmentStatus"] = ""
            orca.note(execution, f"judgment by {judge!r} ignored: not in any of the roles {required}")
            decision = ""
        elif required and orca.roles is None:
            orca.note(execution, f"judgment roles {required} not checked: Fiat is off (pass roles= to check them)")
    if decision == "continue":
        return Outcome(status="SUCCEEDED")
    if decision == "stop":
        return Outcome(status="TERMINAL")
    if orca.clock.now >= deadline:
        # RunTaskHandler.kt:408-421 throws "Stage <name> timed out after <duration>" (its format is not copied)
        return _fail(f"Stage {stage['name']} timed out after {int(timeout) // 1000} seconds")
    if stage["id"] not in orca.waiting_tasks:
        orca.waiting_tasks.add(stage["id"])
        orca.schedule(execution, stage, deadline)
        orca.log(f"{label(execution)} stage {stage['name']!r} awaits a judgment")
    return _RUNNING


def _wait(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # WaitTask.java:41-88: waitTime seconds from stage start; skipRemainingWait ends it
    context = stage["context"]
    try:
        seconds = int(context.get("waitTime") or 0)
    except (TypeError, ValueError):
        return _fail(f"waitTime {context.get('waitTime')!r} is not a number of seconds")
    due = stage["startTime"] + seconds * 1000
    if context.get("skipRemainingWait") or orca.clock.now >= due:
        return Outcome(status="SUCCEEDED")
    if stage["id"] not in orca.waiting_tasks:
        orca.waiting_tasks.add(stage["id"])
        orca.schedule(execution, stage, due)
    return _RUNNING


# -- Deploy, Bake, Undo Rollout ---------------------------------------------------------------------


def _manifest_artifact(orca: Orca, execution: Json, stage: Json) -> Json:
    # ManifestEvaluator.java:107-209
    context = stage["context"]
    artifact = None
    if context.get("manifestArtifactId"):
        artifact = bound_artifact(execution, stage, str(context["manifestArtifactId"]))
    elif context.get("manifestArtifact"):
        artifact = dict(context["manifestArtifact"])
    if artifact is None:
        raise _StageFailure("No manifest artifact was specified.")
    if context.get("manifestArtifactAccount"):
        artifact["artifactAccount"] = context["manifestArtifactAccount"]  # ArtifactUtils.java:283-288
    if not artifact.get("artifactAccount"):
        raise _StageFailure("No manifest artifact account was specified.")
    return artifact


class _StageFailure(Exception):
    pass


def _fetch(orca: Orca, execution: Json, artifact: Json) -> Fetched:
    """clouddriver's ``PUT /artifacts/fetch``: find the artifact account (runtime.md 6.3), then fetch."""
    if orca.artifact_accounts is None:
        note = (
            f"artifact account {artifact.get('artifactAccount')!r} not checked: give "
            "Spinnaker(artifact_accounts=...) to check accounts as clouddriver does"
        )
        if note not in orca.notes.get(execution["id"], ()):
            orca.note(execution, note)
    else:
        check_account(artifact, orca.artifact_accounts)
    return fetch(artifact, orca.git)


def _required_artifacts(execution: Json, stage: Json) -> list[Json]:
    # ManifestEvaluator.java:211-248: every required id must bind
    context = stage["context"]
    required: list[Json] = []
    specs = [{"expectedArtifactId": i} for i in context.get("requiredArtifactIds") or []]
    specs += list(context.get("requiredArtifacts") or [])
    for spec in specs:
        artifact_id = spec.get("expectedArtifactId")
        found = bound_artifact(execution, stage, str(artifact_id)) if artifact_id else spec.get("artifact")
        if found is None:
            raise _StageFailure(f"No artifact with id {artifact_id} could be found in the pipeline context.")
        required.append(found)
    return required


def _artifact_key(artifact: Json) -> str:
    parts = ", ".join(
        f"{field}={artifact.get(field) or ''}" for field in ("type", "name", "version", "location", "reference")
    )
    return f"ArtifactKey({parts})"


def _deploy_manifest(orca: Orca, execution: Json, stage: Json) -> Outcome:
    context = stage["context"]
    account = str(context.get("account") or context.get("credentials") or "")
    try:
        if context.get("source") == "text":
            manifests = _flattened(context.get("manifests"))
            if not manifests:
                raise _StageFailure("No text manifest was specified.")
            unresolved = [item for item in manifests if isinstance(item, str) and item.lstrip().startswith("${")]
            if unresolved:
                # a failed expression stays text (ExpressionTransform.java), which is no manifest object
                orca.note(execution, f"stage {stage['name']!r}: the error's wording is the simulator's")
                raise _StageFailure(f"Manifest {unresolved[0]!r} did not resolve to manifests")
            text, manifest, commit = _manifest_text(manifests), None, None
        else:
            manifest = _manifest_artifact(orca, execution, stage)
            fetched = _fetch(orca, execution, manifest)
            text, commit = fetched.text, fetched.commit
            manifests = _documents_of(fetched.text)
        required = _required_artifacts(execution, stage)
    except _StageFailure as failure:
        return _fail(str(failure))
    except FetchError as failure:
        orca.note(execution, f"stage {stage['name']!r}: the fetch error's wording is the simulator's")
        return _fail(f"Failed to fetch the manifest artifact: {failure}")
    if "${" in text and not context.get("skipExpressionEvaluation"):
        errors: list[str] = []
        try:
            evaluated = evaluate_string(text, scope_for(orca, execution, stage), errors)
            text = evaluated if isinstance(evaluated, str) else text
        except NotSimulated as missing:
            orca.note(execution, f"stage {stage['name']!r}: manifest {missing}; left as written")
        if errors and context.get("failOnFailedExpressions"):
            return _fail(f"Failure evaluating manifest expressions: {errors}")  # ManifestEvaluator.java
    visible = stage_artifacts(execution, stage)
    text, bound = bind_images(text, required, visible)
    unbound = [a for a in required if a.get("type") == "docker/image" and a not in bound]
    if unbound:
        # KubernetesDeployManifestOperation.java:286-303
        keys = "[" + ", ".join(_artifact_key(a) for a in unbound) + "]"
        return _fail(
            f"The following required artifacts could not be bound: '{keys}'. Check that the Docker image name "
            "above matches the name used in the image field of your manifest. Failing the stage as this is "
            "likely a configuration error."
        )
    scripted = _scripted(orca, execution, stage)
    if scripted is not None and scripted.status != "SUCCEEDED":
        return scripted
    namespace = str(context.get("namespaceOverride") or manifest_namespace(text) or "")
    if not namespace:
        namespace = "default"
        orca.note(
            execution, f"stage {stage['name']!r}: no namespace given; assumed 'default' (account defaults not modelled)"
        )
    if manifest is not None and commit is not None and manifest.get("type") != "embedded/base64":
        manifest = {**manifest, "version": commit}  # the branch or tag fetched, as the commit it resolved to
    created = created_artifacts(text, account=account, namespace=namespace)
    orca.deployments.append(
        Deployment(
            account=account,
            namespace=namespace,
            application=str((context.get("moniker") or {}).get("app") or execution["application"]),
            pipeline_name=str(execution.get("name")),
            stage_name=str(stage.get("name")),
            execution_id=execution["id"],
            manifest=to_artifact(manifest) if manifest is not None else None,
            images=tuple(to_artifact(a) for a in required),
            content=text,
            time=orca.clock.datetime,
        )
    )
    orca.log(
        f"{label(execution)} deployed {(manifest or {}).get('name') or 'a text manifest'} to {account}/{namespace}"
    )
    orca.note(execution, f"stage {stage['name']!r}: waitForManifestStable not simulated (the rollout is instant)")
    # PromoteManifestKatoOutputsTask.java:48-97: flat dotted keys, and artifacts = the created ones
    outputs: Json = {
        "outputs.manifestNamesByNamespace": {namespace: [f"{a['type'].split('/')[1]} {a['name']}" for a in created]},
        "outputs.boundArtifacts": bound,
        "outputs.createdArtifacts": created,
        "artifacts": created,
    }
    if context.get("noOutput"):
        outputs = {}
    # ResolveDeploySourceManifestTask.java:73-79 keeps the resolved (pre-binding) manifests in the stage
    # context and outputs: what a later deploy can carry on with ${...context.manifests}
    resolved_manifests: Json = {"manifests": manifests}
    outputs = {**resolved_manifests, **outputs} if not context.get("noOutput") else outputs
    if context.get("expectedArtifacts"):
        artifacts, resolved, unbound_ea = resolve_in_stage(context["expectedArtifacts"], union(created, visible))
        if unbound_ea is not None:
            return _fail(f"Unmatched expected artifact {describe_expected(unbound_ea)} could not be resolved.")
        outputs.update(artifacts=artifacts, resolvedExpectedArtifacts=resolved)  # BindProducedArtifactsTask:78-88
    return Outcome(status="SUCCEEDED", outputs=outputs, context=resolved_manifests)


def _flattened(manifests: Any) -> list[Any]:
    """ResolveDeploySourceManifestTask.flattenNestedLists: a ``${...}`` item may resolve to a list of manifests."""
    if not isinstance(manifests, list):
        return [manifests] if manifests else []
    return [item for entry in manifests for item in (_flattened(entry) if isinstance(entry, list) else [entry])]


def _documents_of(text: str) -> list[Any]:
    """The resolved manifests of a fetched file. orca stores each document parsed; the simulator, which has no
    YAML parser, stores each document as its YAML text, and a text deploy reads such items back as YAML."""
    return [document for document in re.split(r"^---[ \t]*$", text, flags=re.M) if document.strip()]


def _manifest_text(manifests: list[Any]) -> str:
    return "---".join(item if isinstance(item, str) else json.dumps(item, indent=2) for item in manifests)


def _bake_manifest(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # CreateBakeManifestTask.java:81-165; BakeManifestStage.java:31-34
    context = stage["context"]
    inputs = context.get("inputArtifacts") or []
    if not inputs:
        return _fail("At least one input artifact to bake must be supplied")
    texts: list[str] = []
    for spec in inputs:
        artifact = bound_artifact(execution, stage, str(spec.get("id"))) if spec.get("id") else spec.get("artifact")
        if artifact is None:
            return _fail(
                f"Input artifact (id: {spec.get('id')}, account: {spec.get('account')}) could not be found in "
                f"execution (id: {execution['id']})."
            )
        if spec.get("account"):
            artifact = {**artifact, "artifactAccount": spec["account"]}  # ArtifactUtils.java:283-288
        try:
            texts.append(_fetch(orca, execution, artifact).text)
        except FetchError as failure:
            return _fail(f"Failed to fetch the input artifact: {failure}")
    expected = context.get("expectedArtifacts") or []
    if len(expected) != 1:
        return _fail(
            "The Bake (Manifest) stage produces one embedded/base64 artifact; "
            "exactly one expected artifact must be configured"
        )
    scripted = _scripted(orca, execution, stage)
    if scripted is not None and scripted.status != "SUCCEEDED":
        return scripted
    orca.note(
        execution,
        f"stage {stage['name']!r}: {context.get('templateRenderer', 'helm')} rendering not simulated; "
        "the input text is passed through",
    )
    name = (expected[0].get("matchArtifact") or {}).get("name")
    produced = {
        "type": "embedded/base64",
        "name": name,
        "reference": base64.b64encode("\n---\n".join(texts).encode()).decode(),
    }
    artifacts, resolved, missing = resolve_in_stage(expected, [produced, *stage_artifacts(execution, stage)])
    if missing is not None:
        return _fail(f"Unmatched expected artifact {describe_expected(missing)} could not be resolved.")
    return Outcome(status="SUCCEEDED", outputs={"artifacts": artifacts, "resolvedExpectedArtifacts": resolved})


def _undo_rollout(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # KubernetesUndoRolloutManifestOperation.java:64-98: n revisions back needs more than n revisions
    context = stage["context"]
    account = str(context.get("account") or "")
    namespace = str(context.get("location") or "default")
    name = str(context.get("manifestName") or "")
    back = 1 if context.get("numRevisionsBack") is None else int(context["numRevisionsBack"])  # Deck's default: 1
    revisions = sum(
        1
        for d in orca.deployments
        if d.account == account and d.namespace == namespace and name in _workloads(d.content)
    )
    if revisions <= back:
        return _fail(f"There are {revisions} revision(s) in total, cannot rollback {back}")
    scripted = _scripted(orca, execution, stage)
    if scripted is not None and scripted.status != "SUCCEEDED":
        return scripted
    orca.rollbacks.append(
        Rollback(
            account=account,
            namespace=namespace,
            manifest_name=name,
            revisions_back=back,
            execution_id=execution["id"],
            stage_name=str(stage.get("name")),
        )
    )
    orca.log(f"{label(execution)} rolled back {name} in {account}/{namespace} by {back} revision(s)")
    return Outcome(status="SUCCEEDED")


def _workloads(text: str) -> set[str]:
    return {f"{a['type'].split('/')[1]} {a['name']}" for a in created_artifacts(text, account="", namespace="")}


# -- Find Artifact From Execution, Pipeline -----------------------------------------------------------


def _find_artifact(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # FindArtifactFromExecutionTask.java:46-76; FindArtifactFromExecutionContext.java:40-87
    context = stage["context"]
    options = context.get("executionOptions")
    if not isinstance(options, Mapping):
        return _fail("executionOptions is missing (orca fails with a NullPointerException)")
    statuses = set()
    if options.get("successful") or options.get("succeeded"):
        statuses.add("SUCCEEDED")
    if options.get("terminal"):
        statuses.add("TERMINAL")
    if options.get("running"):
        statuses.add("RUNNING")
    config_id = str(context.get("pipeline"))
    candidates = [
        orca.executions[i]
        for i in orca.by_config.get(config_id, [])[-3500:]  # ExecutionRepository.java:208
        if i != execution["id"] and (not statuses or orca.executions[i]["status"] in statuses)
    ]
    pool: list[Json] = []
    if candidates:
        # ArtifactUtils.java:300-326: the latest startTime (nulls last), ties to the highest id
        chosen = max(candidates, key=lambda e: (e.get("startTime") is not None, e.get("startTime") or 0, e["id"]))
        pool = all_artifacts(chosen)
        if config_id == execution.get("pipelineConfigId"):
            mine = next((s for s in chosen["stages"] if s["refId"] == stage["refId"]), None)
            own = (mine or {}).get("outputs", {}).get("artifacts") or []
            pool = [a for a in pool if a not in own]
        orca.note(
            execution, f"stage {stage['name']!r} read artifacts of execution {chosen['id']} of {chosen.get('name')!r}"
        )
    try:
        artifacts, resolved = _first_match(context.get("expectedArtifacts") or [], pool)
    except ResolutionError as failure:
        return _fail(str(failure))
    return Outcome(status="SUCCEEDED", outputs={"artifacts": artifacts, "resolvedExpectedArtifacts": resolved})


def _first_match(expected: list[Json], pool: list[Json]) -> tuple[list[Json], list[Json]]:
    artifacts, resolved, missing = resolve_in_stage(expected, pool)
    if missing is not None:
        raise ResolutionError(f"Unmatched expected artifact {describe_expected(missing)} could not be resolved.")
    return artifacts, resolved


def _pipeline(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # PipelineStage.java:59-84; StartPipelineTask.groovy:57-119
    context = stage["context"]
    if context.get("executionId"):
        return _RUNNING
    config = orca.front50.by_id(str(context.get("pipeline")))
    if config is None:
        return _fail(f"The referenced pipeline cannot be located ({context.get('pipeline')})")
    if config.get("disabled"):
        return _fail("The referenced pipeline is disabled")
    child = orca.start_dependent(config, execution, stage)
    context["executionId"] = child["id"]
    context["executionName"] = child.get("name")
    if context.get("waitForCompletion") is False:
        return Outcome(status="SUCCEEDED")
    orca.note(
        execution,
        f"stage {stage['name']!r}: MonitorPipelineTask's 15 s polling not simulated (it sees the end at once)",
    )
    if child["status"] in ("TERMINAL", "CANCELED", "SUCCEEDED"):  # failed at start: the monitor sees it at once
        orca.clock.soon(lambda: orca.pipeline_stage_done(execution, stage, child))
    else:
        orca.monitors[child["id"]] = (execution, stage)
    return _RUNNING


# Stage types with modelled behaviour; deploy, bake and undo rollout also take a scripted failure (after
# their own checks), judgments, waits, pipeline and find stages do not.
def _check_preconditions(orca: Orca, execution: Json, stage: Json) -> Outcome:
    # ExpressionPreconditionTask: `${expression}` must evaluate to true, else TERMINAL; other precondition types
    # (cluster size, ...) are not simulated and pass, as the note says
    scripted = _scripted(orca, execution, stage)
    if scripted is not None:
        return scripted
    for precondition in stage["context"].get("preconditions") or []:
        if precondition.get("type") != "expression":
            orca.note(execution, f"stage {stage['name']!r}: precondition {precondition.get('type')!r} not simulated")
            continue
        expression = str((precondition.get("context") or {}).get("expression") or "false")
        try:
            value = _condition(orca, execution, stage, expression, [])
        except NotSimulated as missing:
            orca.note(execution, f"stage {stage['name']!r}: {missing}; the precondition passed")
            continue
        if value is not True and str(value).lower() != "true":
            orca.note(execution, f"stage {stage['name']!r}: the error's wording is the simulator's")
            return _fail(f"Expression precondition failed: {expression}")
    return Outcome(status="SUCCEEDED")


_HANDLERS: dict[str, Callable[[Orca, Json, Json], Outcome]] = {
    "checkPreconditions": _check_preconditions,
    "manualJudgment": _manual_judgment,
    "wait": _wait,
    "pipeline": _pipeline,
    "findArtifactFromExecution": _find_artifact,
    "deployManifest": _deploy_manifest,
    "bakeManifest": _bake_manifest,
    "undoRolloutManifest": _undo_rollout,
}
