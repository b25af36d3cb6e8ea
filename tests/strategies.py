"""Hypothesis strategies for random *valid* model objects, random JSON values, and the wire vocabulary.

Each model class has a table of field -> strategy (``FIELDS``); a build draws any subset of those fields, so
defaults, converters and explicit values are all exercised. ``extra`` keys start with ``x-`` and so never
collide with a wire key. Sizes are small: the property suite should stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

import spinpromote as sp
from spinpromote.model.artifacts import _ArtifactFields
from spinpromote.model.stage_base import StageFields
from spinpromote.model.triggers import _TriggerFields

__all__ = [
    "ARTIFACT_CLASSES",
    "FIELDS",
    "MODEL_CLASSES",
    "STAGE_CLASSES",
    "TRIGGER_CLASSES",
    "WIRE_KEYS",
    "any_model_objects",
    "artifacts",
    "expected_artifacts",
    "extras",
    "fuzz_json",
    "json_objects",
    "json_values",
    "objects_of",
    "pipelines",
    "stages",
    "triggers",
]

# ---------------------------------------------------------------------------------------------------
# Scalars and JSON values

text = st.text(max_size=8)
short_text = st.text(max_size=4)
ints = st.integers(min_value=-(2**53), max_value=2**53)
floats = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | ints | floats | text

json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(short_text, children, max_size=3),
    max_leaves=6,
)
"""Any JSON value: None, bool, int, float (finite), str, and lists and text-keyed dicts of those."""

json_objects = st.dictionaries(short_text, json_values, max_size=3)
"""A JSON object (for ``Mapping`` fields such as ``metadata``)."""

extras = st.dictionaries(short_text.map(lambda key: "x-" + key), json_values, max_size=2)
"""An ``extra`` dict: keys that are no wire key of any class, JSON values including explicit nulls."""


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The strategy or None (absent from the JSON)."""
    return st.none() | strategy


def small_lists(strategy: st.SearchStrategy[Any], max_size: int = 2) -> st.SearchStrategy[Any]:
    """A short list, or None."""
    return opt(st.lists(strategy, max_size=max_size))


bools = opt(st.booleans())
strs = opt(text)
str_lists = opt(st.lists(text, max_size=2) | text)  # a lone string is a one-item list (to_str_tuple)


def _subclasses(base: type) -> list[type]:
    found: list[type] = []
    for sub in base.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _typed(base: type) -> list[type]:
    return [cls for cls in _subclasses(base) if "TYPE" in vars(cls)]


STAGE_TYPES = frozenset(cls.TYPE for cls in _typed(StageFields))  # type: ignore[attr-defined]
TRIGGER_TYPES = frozenset(cls.TYPE for cls in _typed(_TriggerFields))  # type: ignore[attr-defined]
ARTIFACT_TYPES = frozenset(cls.TYPE for cls in _typed(_ArtifactFields))  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------------------------------
# Field tables: class -> {field name: strategy}. Building draws any subset of the fields.

FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {}
_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {}


def _register(
    cls: type,
    fields: Mapping[str, st.SearchStrategy[Any]],
    *,
    required: Mapping[str, st.SearchStrategy[Any]] | None = None,
    build: Callable[..., Any] | None = None,
) -> st.SearchStrategy[Any]:
    FIELDS[cls] = {**(required or {}), **fields}
    factory = build or cls
    strategy = st.fixed_dictionaries(dict(required or {}), optional=dict(fields)).map(lambda kw: factory(**kw))
    _STRATEGIES[cls] = strategy
    return strategy


def objects_of(cls: type) -> st.SearchStrategy[Any]:
    """Random valid instances of one model class (deferred, so tables may refer to each other)."""
    return st.deferred(lambda: _STRATEGIES[cls])


# -- options and notifications ------------------------------------------------------------------------

failure_policies = st.sampled_from(
    [
        sp.FailurePolicy.halt_pipeline(),
        sp.FailurePolicy.halt_branch(),
        sp.FailurePolicy.halt_branch_then_fail(),
        sp.FailurePolicy.ignore(),
        sp.FailurePolicy(fail_pipeline=True),  # ManualJudgment's default: one flag only
        sp.FailurePolicy(fail_pipeline=False, continue_pipeline=True),
    ]
)
_register(
    sp.FailurePolicy,
    {"fail_pipeline": bools, "continue_pipeline": bools, "complete_other_branches_then_fail": bools, "extra": extras},
)
stage_failure_policies = failure_policies | st.builds(
    sp.FailurePolicy,
    fail_pipeline=st.booleans(),  # at least one flag: a policy with none renders as nothing on the stage
    continue_pipeline=bools,
    complete_other_branches_then_fail=bools,
)
"""Policies as a stage holds them: flags only (on a stage, unknown keys belong to the stage's ``extra``)."""
_register(sp.StageEnabled, {"expression": strs, "type": strs, "extra": extras})
_register(
    sp.HourRange,
    {
        "start_hour": opt(st.integers(0, 23)),
        "start_min": opt(st.integers(0, 59)),
        "end_hour": opt(st.integers(0, 23)),
        "end_min": opt(st.integers(0, 59)),
        "extra": extras,
    },
)
_register(
    sp.Jitter,
    {
        "enabled": bools,
        "min_delay": opt(ints),
        "max_delay": opt(ints),
        "skip_manual": bools,
        "extra": extras,
    },
)
_register(
    sp.ExecutionWindow,
    {
        "hours": small_lists(objects_of(sp.HourRange)),
        "days": small_lists(st.integers(1, 7), max_size=3),
        "jitter": opt(objects_of(sp.Jitter)),
        "extra": extras,
    },
)
_register(
    sp.Moniker,
    {"app": strs, "cluster": strs, "stack": strs, "detail": strs, "sequence": opt(ints), "extra": extras},
)
_register(
    sp.Notification,
    {
        "type": opt(st.sampled_from(["slack", "email", "sms", "bearychat"]) | text),
        "address": strs,
        "level": opt(st.sampled_from(["stage", "pipeline"])),
        "when": str_lists,
        "message": opt(st.dictionaries(short_text, st.fixed_dictionaries({"text": text}), max_size=2)),
        "cc": strs,
        "notify_every_ms": opt(ints),
        "extra": extras,
    },
)

# -- artifacts ----------------------------------------------------------------------------------------

_ARTIFACT_WIRE: dict[str, st.SearchStrategy[Any]] = {
    "name": strs,
    "version": strs,
    "location": strs,
    "reference": strs,
    "artifact_account": strs,
    "metadata": opt(json_objects),
    "custom_kind": bools,
    "provenance": strs,
    "uuid": strs,
    "extra": extras,
}
_generic_artifact_type = text.filter(lambda t: t not in ARTIFACT_TYPES and not t.startswith("kubernetes/"))

for _cls in _typed(_ArtifactFields):
    _register(_cls, _ARTIFACT_WIRE)
_register(sp.KubernetesObject, {**_ARTIFACT_WIRE, "kind": text})
_register(
    sp.GenericArtifact,
    {
        **_ARTIFACT_WIRE,
        "type": opt(st.sampled_from(["maven/file", "custom/object", "ivy/file"]) | _generic_artifact_type),
    },
)

ARTIFACT_CLASSES = (*_typed(_ArtifactFields), sp.KubernetesObject, sp.GenericArtifact)
artifacts: st.SearchStrategy[Any] = st.one_of([objects_of(cls) for cls in ARTIFACT_CLASSES])
"""Any artifact kind, typed or generic."""

_register(
    sp.ExpectedArtifact,
    {
        "id": strs,
        "display_name": strs,
        "match": opt(artifacts),
        "default": opt(artifacts),
        "use_default_artifact": bools,
        "use_prior_artifact": bools,
        "extra": extras,
    },
)
expected_artifacts = objects_of(sp.ExpectedArtifact)

# -- triggers -----------------------------------------------------------------------------------------

_TRIGGER_COMMON: dict[str, st.SearchStrategy[Any]] = {
    "enabled": bools,
    "expected_artifact_ids": str_lists,
    "run_as_user": strs,
    "description": strs,
    "extra": extras,
}
_TRIGGER_FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    sp.GitTrigger: {
        "source": opt(st.sampled_from(["github", "gitlab", "bitbucket", "stash"])),
        "project": strs,
        "slug": strs,
        "branch": strs,
        "secret": strs,
        "events": str_lists,
    },
    sp.DockerTrigger: {"account": strs, "registry": strs, "organization": strs, "repository": strs, "tag": strs},
    sp.PipelineTrigger: {"application": strs, "pipeline": strs, "status": str_lists},
    sp.CronTrigger: {"id": strs, "cron_expression": strs, "parameters": opt(json_objects)},
    sp.WebhookTrigger: {"source": strs, "payload_constraints": opt(json_objects)},
    sp.JenkinsTrigger: {"master": strs, "job": strs, "property_file": strs, "payload_constraints": opt(json_objects)},
    sp.HelmTrigger: {"account": strs, "chart": strs, "version": strs},
    sp.PubsubTrigger: {
        "pubsub_system": opt(st.sampled_from(["google", "amazon"])),
        "subscription_name": strs,
        "payload_constraints": opt(json_objects),
        "attribute_constraints": opt(json_objects),
    },
    sp.GenericTrigger: {
        "type": opt(
            st.sampled_from(["manual", "artifactory", "concourse"]) | text.filter(lambda t: t not in TRIGGER_TYPES)
        )
    },
}
for _cls, _fields in _TRIGGER_FIELDS.items():
    _register(_cls, {**_TRIGGER_COMMON, **_fields})

TRIGGER_CLASSES = tuple(_TRIGGER_FIELDS)
triggers: st.SearchStrategy[Any] = st.one_of([objects_of(cls) for cls in TRIGGER_CLASSES])
"""Any trigger type, typed or generic."""

# -- stages -------------------------------------------------------------------------------------------

_STAGE_COMMON: dict[str, st.SearchStrategy[Any]] = {
    "ref_id": strs,
    "requisite_stage_ref_ids": str_lists,
    "name": strs,
    "stage_enabled": opt(text | objects_of(sp.StageEnabled)),  # a bare string is an expression
    "failure": opt(stage_failure_policies),
    "fail_on_failed_expressions": bools,
    "stage_timeout_ms": opt(st.integers(0, 2**40) | text | st.timedeltas(timedelta(0), timedelta(days=30))),
    "restricted_execution_window": opt(objects_of(sp.ExecutionWindow)),
    "restrict_execution_during_time_window": bools,
    "send_notifications": bools,
    "notifications": small_lists(objects_of(sp.Notification)),
    "comments": strs,
    "expected_artifacts": small_lists(expected_artifacts, max_size=1),
    "extra": extras,
}
_SELECTOR: dict[str, st.SearchStrategy[Any]] = {
    "account": strs,
    "cloud_provider": strs,
    "location": strs,
    "app": strs,
    "mode": opt(st.sampled_from(["static", "dynamic", "label"])),
    "manifest_name": strs,
    "cluster": strs,
    "kind": strs,
    "criteria": strs,
    "kinds": str_lists,
    "label_selectors": opt(json_objects),
}
_register(sp.JudgmentInput, {"value": strs, "extra": extras})
_register(sp.ExecutionOptions, {"successful": bools, "terminal": bools, "running": bools, "extra": extras})
_register(
    sp.Precondition,
    {"type": strs, "context": opt(json_objects), "fail_pipeline": bools, "extra": extras},
)
_register(
    sp.TrafficOptions,
    {
        "enable_traffic": bools,
        "namespace": strs,
        "services": str_lists,
        "strategy": opt(st.sampled_from(["bluegreen", "highlander", "none"])),
        "extra": extras,
    },
)
_register(
    sp.TrafficManagement,
    {"enabled": bools, "options": opt(objects_of(sp.TrafficOptions)), "extra": extras},
)
traffic_managements = opt(
    objects_of(sp.TrafficManagement)
    | st.builds(sp.TrafficManagement.bluegreen, st.lists(text, max_size=2))
    | st.builds(sp.TrafficManagement.highlander, st.lists(text, max_size=2))
)
_register(
    sp.BindArtifact,
    {"expected_artifact_id": strs, "artifact": opt(artifacts), "extra": extras},
)
_register(
    sp.InputArtifact,
    {"id": strs, "account": strs, "artifact": opt(artifacts), "extra": extras},
)
_register(sp.DeleteOptions, {"cascading": bools, "grace_period_seconds": opt(ints), "extra": extras})

_STAGE_FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    sp.DeployManifest: {
        "account": strs,
        "cloud_provider": strs,
        "manifest_artifact_id": strs,
        "manifest_artifact": opt(artifacts),
        "manifest_artifact_account": strs,
        "manifests": small_lists(json_objects),
        "source": opt(st.sampled_from(["text", "artifact"])),
        "namespace_override": strs,
        "moniker": opt(objects_of(sp.Moniker)),
        "skip_expression_evaluation": bools,
        "required_artifact_ids": str_lists,
        "required_artifacts": small_lists(objects_of(sp.BindArtifact), max_size=1),
        "traffic_management": traffic_managements,
    },
    sp.ManualJudgment: {
        "instructions": strs,
        "judgment_inputs": small_lists(text | objects_of(sp.JudgmentInput)),
        "propagate_authentication_context": bools,
        "roles": str_lists,
    },
    sp.Wait: {"wait_time": opt(ints | text), "skip_wait_text": strs},
    sp.RunPipeline: {
        "application": strs,
        "pipeline": strs,
        "pipeline_parameters": opt(json_objects),
        "wait_for_completion": bools,
    },
    sp.FindArtifactFromExecution: {
        "application": strs,
        "pipeline": strs,
        "execution_options": opt(objects_of(sp.ExecutionOptions)),
    },
    sp.Webhook: {
        "url": strs,
        "method": opt(st.sampled_from(["GET", "POST", "PUT"])),
        "payload": json_values,
        "custom_headers": opt(json_objects),
        "fail_fast_status_codes": small_lists(st.integers(100, 599)),
        "wait_for_completion": bools,
        "status_url_resolution": strs,
        "status_url_json_path": strs,
        "status_json_path": strs,
        "progress_json_path": strs,
        "success_statuses": strs,
        "canceled_statuses": strs,
        "terminal_statuses": strs,
    },
    sp.CheckPreconditions: {"preconditions": small_lists(objects_of(sp.Precondition))},
    sp.RunJobManifest: {
        "account": strs,
        "cloud_provider": strs,
        "application": strs,
        "manifest_artifact_id": strs,
        "manifest_artifact": opt(artifacts),
        "manifest": opt(json_objects),
        "source": strs,
        "required_artifact_ids": str_lists,
        "skip_expression_evaluation": bools,
        "property_file": strs,
        "consume_artifact_source": strs,
        "alias": strs,
    },
    sp.BakeManifest: {
        "template_renderer": opt(st.sampled_from(["HELM2", "HELM3", "KUSTOMIZE"])),
        "output_name": strs,
        "namespace": strs,
        "input_artifacts": small_lists(objects_of(sp.InputArtifact)),
        "input_artifact": opt(objects_of(sp.InputArtifact)),
        "overrides": opt(json_objects),
        "raw_overrides": bools,
        "evaluate_override_expressions": bools,
        "include_crds": bools,
        "helm_chart_file_path": strs,
        "kustomize_file_path": strs,
    },
    sp.DeleteManifest: {**_SELECTOR, "options": opt(objects_of(sp.DeleteOptions))},
    sp.ScaleManifest: {**_SELECTOR, "replicas": opt(ints | text)},
    sp.UndoRolloutManifest: {**_SELECTOR, "num_revisions_back": opt(ints)},
    sp.EnableManifest: _SELECTOR,
    sp.DisableManifest: _SELECTOR,
    sp.PatchManifest: {
        **_SELECTOR,
        "source": opt(st.sampled_from(["text", "artifact"])),
        "patch_body": json_values,
        "manifest_artifact_id": strs,
        "manifest_artifact": opt(artifacts),
        "manifest_artifact_account": strs,
        "required_artifact_ids": str_lists,
        "options": opt(json_objects),
    },
    sp.FindArtifactsFromResource: _SELECTOR,
    sp.KayentaCanary: {"analysis_type": strs, "canary_config": json_values, "deployments": json_values},
    sp.EvaluateVariables: {"variables": small_lists(json_objects)},
    sp.Jenkins: {
        "master": strs,
        "job": strs,
        "parameters": opt(json_objects),
        "property_file": strs,
        "mark_unstable_as_successful": bools,
        "wait_for_completion": bools,
    },
    sp.GenericStage: {},
}
for _cls, _fields in _STAGE_FIELDS.items():
    if _cls is sp.GenericStage:
        _type = st.sampled_from(["bake", "deploy", "rollingRestartManifest"]) | text.filter(
            lambda t: t not in STAGE_TYPES
        )
        _register(_cls, _STAGE_COMMON, required={"type": _type})
    else:
        _register(_cls, {**_STAGE_COMMON, **_fields})

STAGE_CLASSES = tuple(_STAGE_FIELDS)
stages: st.SearchStrategy[Any] = st.one_of([objects_of(cls) for cls in STAGE_CLASSES])
"""Any stage type, typed or generic, with the common stage options."""

# -- pipelines ----------------------------------------------------------------------------------------

_register(sp.ParameterOption, {"value": json_values, "extra": extras})
_register(
    sp.Parameter,
    {
        "name": strs,
        "label": strs,
        "description": strs,
        "default": json_values,
        "required": bools,
        "pinned": bools,
        "options": small_lists(json_values | objects_of(sp.ParameterOption)),
        "has_options": bools,
        "constraint": strs,
        "condition": opt(json_objects),
        "extra": extras,
    },
)
_register(sp.PipelineLock, {"ui": bools, "allow_unlock_ui": bools, "description": strs, "extra": extras})
_register(
    sp.ManualStartAlert,
    {"type": opt(st.sampled_from(["danger", "warning", "info"])), "message": strs, "extra": extras},
)
_register(
    sp.Pipeline,
    {
        "id": strs,
        "description": strs,
        "keep_waiting_pipelines": bools,
        "limit_concurrent": bools,
        "max_concurrent_executions": opt(ints),
        "spel_evaluator": opt(st.sampled_from(["v3", "v4"])),
        "disabled": bools,
        "locked": opt(objects_of(sp.PipelineLock)),
        "roles": str_lists,
        "respect_quiet_period": bools,
        "manual_start_alert": opt(objects_of(sp.ManualStartAlert)),
        "triggers": small_lists(triggers),
        "expected_artifacts": small_lists(expected_artifacts),
        "parameters": small_lists(objects_of(sp.Parameter)),
        "notifications": small_lists(objects_of(sp.Notification)),
        "stages": small_lists(stages, max_size=3),
        "extra": extras,
    },
    required={"application": strs, "name": strs},
)
_BUSY: dict[str, st.SearchStrategy[Any]] = {
    "application": text,
    "name": text,
    "triggers": st.lists(triggers, min_size=1, max_size=2),
    "expected_artifacts": st.lists(expected_artifacts, min_size=1, max_size=2),
    "stages": st.lists(stages, min_size=1, max_size=3),
}
_busy_pipelines = st.fixed_dictionaries(
    _BUSY, optional={key: value for key, value in FIELDS[sp.Pipeline].items() if key not in _BUSY}
).map(lambda kw: sp.Pipeline(**kw))
pipelines: st.SearchStrategy[sp.Pipeline] = objects_of(sp.Pipeline) | _busy_pipelines
"""Whole pipelines: triggers, expected artifacts, parameters, notifications and up to three stages.

Half of them always have triggers, expected artifacts and stages, so small examples still exercise them.
"""

MODEL_CLASSES = tuple(
    obj for name in sp.model.__all__ if isinstance(obj := getattr(sp.model, name), type) and attrs.has(obj)
)
"""Every public model class."""

any_model_objects: st.SearchStrategy[Any] = st.one_of([objects_of(cls) for cls in MODEL_CLASSES])
"""An instance of any public model class."""

# ---------------------------------------------------------------------------------------------------
# Fuzzing: random JSON that looks enough like a pipeline to get past the first checks


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


WIRE_KEYS: tuple[str, ...] = tuple(
    sorted(
        {_camel(field.name) for cls in FIELDS for field in attrs.fields(cls) if field.name != "extra"}
        | {"type", "matchArtifact", "defaultArtifact", "whitelist", "parameterConfig", "selectedStageRoles"}
    )
)
"""Keys the model knows (camelCase of every field, and the renamed ones)."""

_TYPE_VALUES = sorted(STAGE_TYPES | TRIGGER_TYPES | ARTIFACT_TYPES | {"kubernetes/deployment", "kubernetes/"})

fuzz_json: st.SearchStrategy[Any] = st.recursive(
    json_scalars | st.sampled_from(_TYPE_VALUES),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(WIRE_KEYS) | short_text, children, max_size=5)
    ),
    max_leaves=12,
)
"""Random JSON whose keys are mostly wire keys and whose strings are often type names."""
