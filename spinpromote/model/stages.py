"""Core stages: Manual Judgment, Wait, running another pipeline, webhooks, preconditions, artifact lookup.

Kubernetes (manifest) stages live in `spinpromote.model.kubernetes`. Any stage type the model does not
know parses into `GenericStage`, every key kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from spinpromote.model._base import SpinnakerObject, to_str_tuple, to_tuple
from spinpromote.model._frozen import EMPTY, freeze, freeze_mapping, freeze_mappings
from spinpromote.model.kubernetes import (
    BakeManifest,
    DeleteManifest,
    DeployManifest,
    DisableManifest,
    EnableManifest,
    FindArtifactsFromResource,
    PatchManifest,
    RunJobManifest,
    ScaleManifest,
    UndoRolloutManifest,
)
from spinpromote.model.notifications import Notification
from spinpromote.model.options import FailurePolicy
from spinpromote.model.stage_base import StageFields

__all__ = [
    "CheckPreconditions",
    "EvaluateVariables",
    "ExecutionOptions",
    "FindArtifactFromExecution",
    "GenericStage",
    "Jenkins",
    "JudgmentInput",
    "KayentaCanary",
    "ManualJudgment",
    "Precondition",
    "RunPipeline",
    "Stage",
    "Wait",
    "Webhook",
]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class JudgmentInput(SpinnakerObject):
    """An option the approver picks with Continue or Stop; read later with ``#judgment('<stage name>')``.

    ```pycon
    >>> JudgmentInput(value="deploy").to_dict()
    {'value': 'deploy'}

    ```
    """

    value: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


def _to_judgment_inputs(
    values: tuple[JudgmentInput | str, ...] | list[JudgmentInput | str] | None,
) -> tuple[JudgmentInput, ...]:
    if values is None:
        return ()
    return tuple(JudgmentInput(value=v) if isinstance(v, str) else v for v in values)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ManualJudgment(StageFields):
    """Wait for a person to Continue or Stop (``manualJudgment``).

    Deck's defaults: halt the pipeline if stopped, no inputs, no notifications. ``roles`` limits who may
    judge (when Fiat is on). The wait times out after 3 days unless ``stage_timeout_ms`` says otherwise.

    ```pycon
    >>> ManualJudgment(name="Approve prod", judgment_inputs=["deploy", "skip"]).judgment_inputs[0].value
    'deploy'

    ```
    """

    TYPE: ClassVar[str] = "manualJudgment"
    failure: FailurePolicy | None = FailurePolicy(fail_pipeline=True)
    instructions: str | None = None
    judgment_inputs: tuple[JudgmentInput, ...] = attrs.field(default=(), converter=_to_judgment_inputs)
    notifications: tuple[Notification, ...] = attrs.field(default=(), converter=to_tuple)
    propagate_authentication_context: bool | None = None
    roles: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Wait(StageFields):
    """Wait a number of seconds (or a SpEL expression giving seconds).

    ```pycon
    >>> Wait(wait_time=600).to_dict()
    {'type': 'wait', 'requisiteStageRefIds': [], 'waitTime': 600}

    ```
    """

    TYPE: ClassVar[str] = "wait"
    wait_time: int | str | None = None
    skip_wait_text: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class RunPipeline(StageFields):
    """Run another pipeline (``pipeline`` stage); ``pipeline`` is its id, ``application`` its app.

    ```pycon
    >>> RunPipeline(application="demo", pipeline="tests-id").to_dict()["waitForCompletion"]
    True

    ```
    """

    TYPE: ClassVar[str] = "pipeline"
    application: str | None = None
    pipeline: str | None = None
    pipeline_parameters: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    wait_for_completion: bool | None = True


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ExecutionOptions(SpinnakerObject):
    """Which runs of a pipeline a Find Artifact From Execution stage looks at.

    ```pycon
    >>> ExecutionOptions().to_dict()
    {'successful': True}

    ```
    """

    successful: bool | None = True
    terminal: bool | None = None
    running: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class FindArtifactFromExecution(StageFields):
    """Bind ``expected_artifacts`` from the latest matching run of another pipeline (by id).

    ```pycon
    >>> FindArtifactFromExecution(application="demo", pipeline="staging-id").to_dict()["executionOptions"]
    {'successful': True}

    ```
    """

    TYPE: ClassVar[str] = "findArtifactFromExecution"
    application: str | None = None
    pipeline: str | None = None
    execution_options: ExecutionOptions | None = ExecutionOptions()


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Webhook(StageFields):
    """Call an HTTP endpoint, and optionally poll it until it reports success.

    ```pycon
    >>> Webhook(url="https://ci.example.com/hook").to_dict()["method"]
    'POST'

    ```
    """

    TYPE: ClassVar[str] = "webhook"
    url: str | None = None
    method: str | None = "POST"
    payload: Any = attrs.field(default=None, converter=freeze)
    custom_headers: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    fail_fast_status_codes: tuple[int, ...] = attrs.field(default=(), converter=to_tuple)
    wait_for_completion: bool | None = None
    # orca reads a null statusUrlResolution as a failure once the call is made (WebhookStatusCheckUrlRetriever.java:
    # 35-51); Deck writes getMethod (webhookStage.ts:60,73), and so does this default when waiting for completion
    status_url_resolution: str | None = attrs.field(
        default=attrs.Factory(lambda self: "getMethod" if self.wait_for_completion else None, takes_self=True)
    )
    status_url_json_path: str | None = None
    status_json_path: str | None = None
    progress_json_path: str | None = None
    success_statuses: str | None = None
    canceled_statuses: str | None = None
    terminal_statuses: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Precondition(SpinnakerObject):
    """One check of a Check Preconditions stage.

    ```pycon
    >>> Precondition.expression("${trigger.parameters.ok} == 'yes'").to_dict()["type"]
    'expression'

    ```
    """

    type: str | None = None
    context: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    fail_pipeline: bool | None = True
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)

    @classmethod
    def expression(cls, expression: str, *, failure_message: str | None = None) -> Precondition:
        """Pass when the SpEL expression (without ``${}``) is true."""
        context: dict[str, Any] = {"expression": expression}
        if failure_message is not None:
            context["failureMessage"] = failure_message
        return cls(type="expression", context=context)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class CheckPreconditions(StageFields):
    """Fail (or halt the branch) unless every precondition holds.

    ```pycon
    >>> stage = CheckPreconditions(preconditions=[Precondition.expression("trigger.branch == 'main'")])
    >>> stage.to_dict()["preconditions"][0]["context"]
    {'expression': "trigger.branch == 'main'"}

    ```
    """

    TYPE: ClassVar[str] = "checkPreconditions"
    preconditions: tuple[Precondition, ...] = attrs.field(default=(), converter=to_tuple)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class KayentaCanary(StageFields):
    """Automated canary analysis with Kayenta (``kayentaCanary``): fails when the canary scores too low.

    ``canary_config`` is Kayenta's block as Deck writes it (``canaryConfigId``, ``scopes``,
    ``scoreThresholds``, ``lifetimeDuration``, ...).

    ```pycon
    >>> canary = KayentaCanary(name="Canary", canary_config={"canaryConfigId": "cfg", "lifetimeDuration": "PT1H"})
    >>> canary.to_dict()["analysisType"]
    'realTime'

    ```
    """

    TYPE: ClassVar[str] = "kayentaCanary"
    analysis_type: str | None = "realTime"
    canary_config: Any = attrs.field(default=None, converter=freeze)
    deployments: Any = attrs.field(default=None, converter=freeze)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class EvaluateVariables(StageFields):
    """Evaluate SpEL once and keep the results as variables for later stages (``evaluateVariables``).

    ```pycon
    >>> EvaluateVariables(variables=[{"key": "tag", "value": "${trigger.tag}"}]).to_dict()["variables"]
    [{'key': 'tag', 'value': '${trigger.tag}'}]

    ```
    """

    TYPE: ClassVar[str] = "evaluateVariables"
    variables: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=freeze_mappings)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Jenkins(StageFields):
    """Run a Jenkins job on a configured master and wait for it (``jenkins``).

    ```pycon
    >>> Jenkins(master="ci", job="shop/smoke-tests", parameters={"ENV": "staging"}).to_dict()["job"]
    'shop/smoke-tests'

    ```
    """

    TYPE: ClassVar[str] = "jenkins"
    master: str | None = None
    job: str | None = None
    parameters: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    property_file: str | None = None
    mark_unstable_as_successful: bool | None = None
    wait_for_completion: bool | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class GenericStage(StageFields):
    """Any other stage type (``rollingRestartManifest``, ``bake``, ...), every key kept in ``extra``.

    ```pycon
    >>> GenericStage.from_dict({"type": "rollingRestartManifest", "account": "prod"}).extra
    {'account': 'prod'}

    ```
    """

    type: str


Stage = (
    DeployManifest
    | ManualJudgment
    | FindArtifactFromExecution
    | Wait
    | RunPipeline
    | Webhook
    | CheckPreconditions
    | RunJobManifest
    | BakeManifest
    | DeleteManifest
    | ScaleManifest
    | UndoRolloutManifest
    | EnableManifest
    | DisableManifest
    | PatchManifest
    | FindArtifactsFromResource
    | KayentaCanary
    | EvaluateVariables
    | Jenkins
    | GenericStage
)
"""Any stage."""
