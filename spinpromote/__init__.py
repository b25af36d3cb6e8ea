"""spinpromote: Spinnaker pipelines as typed, tested Python.

Build pipelines (or a whole `PromotionChain`) from typed classes, render the exact JSON Spinnaker stores,
parse existing pipelines losslessly, and validate what Spinnaker would only reveal at run time. The Gate
client lives in `spinpromote.gate`; `import spinpromote` does not import it (nor ``requests``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see (tests/test_public_api.py checks it covers _EXPORTS)
    from spinpromote.builder import *  # noqa: F403
    from spinpromote.chain import *  # noqa: F403
    from spinpromote.errors import PipelineFormatError as PipelineFormatError
    from spinpromote.errors import SpinpromoteError as SpinpromoteError
    from spinpromote.errors import ValidationError as ValidationError
    from spinpromote.ids import *  # noqa: F403
    from spinpromote.model import *  # noqa: F403
    from spinpromote.validate import Problem as Problem

# The public names, by the module that defines them: the only list of them. Names are loaded on first use
# (PEP 562), so `import spinpromote` stays cheap: creating the model's attrs classes costs more than
# importing cattrs itself.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "spinpromote.errors": ("PipelineFormatError", "SpinpromoteError", "ValidationError"),
    "spinpromote.builder": ("PipelineBuilder",),
    "spinpromote.chain": (
        "Environment",
        "GateStep",
        "Layout",
        "PromotionChain",
        "Target",
    ),
    "spinpromote.ids": (
        "expected_artifact_id",
        "pipeline_id",
    ),
    "spinpromote.model": (
        "JUDGMENT_EVENTS",
        "PIPELINE_EVENTS",
        "STAGE_EVENTS",
        "Artifact",
        "BakeManifest",
        "BindArtifact",
        "BitbucketFile",
        "CheckPreconditions",
        "CronTrigger",
        "DeleteManifest",
        "DeleteOptions",
        "DeployManifest",
        "DockerImage",
        "DockerTrigger",
        "EmbeddedBase64",
        "ExecutionOptions",
        "ExecutionWindow",
        "ExpectedArtifact",
        "FailurePolicy",
        "FindArtifactFromExecution",
        "GcsObject",
        "GenericArtifact",
        "GenericStage",
        "GenericTrigger",
        "GitHubFile",
        "GitLabFile",
        "GitRepo",
        "GitTrigger",
        "HelmChart",
        "HelmTrigger",
        "HourRange",
        "HttpFile",
        "InputArtifact",
        "JenkinsTrigger",
        "Jitter",
        "JudgmentInput",
        "KubernetesObject",
        "ManualJudgment",
        "ManualStartAlert",
        "Moniker",
        "Notification",
        "Parameter",
        "ParameterOption",
        "Pipeline",
        "PipelineLock",
        "PipelineTrigger",
        "Precondition",
        "PubsubTrigger",
        "RunJobManifest",
        "RunPipeline",
        "S3Object",
        "ScaleManifest",
        "Stage",
        "StageEnabled",
        "TrafficManagement",
        "TrafficOptions",
        "Trigger",
        "UndoRolloutManifest",
        "Wait",
        "Webhook",
        "WebhookTrigger",
    ),
    "spinpromote.validate": ("Problem",),
}

_LAZY = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'spinpromote' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = "0.1.0.dev0"

# ruff's order (RUF022): CONSTANTS, then Classes, then functions.
__all__ = sorted(
    (name for names in _EXPORTS.values() for name in names),
    key=lambda name: (0 if name.isupper() else 1 if name[:1].isupper() else 2, name),
)
