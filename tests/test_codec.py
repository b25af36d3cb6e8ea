"""Rendering and parsing: Deck's defaults, discriminators, renames, nulls, unknown keys, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from spinpromote import (
    DeployManifest,
    DockerImage,
    ExecutionWindow,
    ExpectedArtifact,
    FailurePolicy,
    GcsObject,
    GenericArtifact,
    GenericStage,
    GitHubFile,
    GitLabFile,
    GitTrigger,
    HourRange,
    KubernetesObject,
    ManualJudgment,
    Pipeline,
    PipelineFormatError,
    S3Object,
    Wait,
)
from spinpromote.codec import converter
from tests.conftest import ROOT


def test_new_pipeline_renders_decks_defaults() -> None:
    """A new pipeline has Deck's defaults and no server-managed keys."""
    document = Pipeline(application="demo", name="Deploy").to_dict()

    assert document == {
        "application": "demo",
        "name": "Deploy",
        "keepWaitingPipelines": False,
        "limitConcurrent": True,
        "spelEvaluator": "v4",
        "triggers": [],
        "parameterConfig": [],
        "notifications": [],
        "stages": [],
    }


def test_deploy_manifest_defaults_match_deck() -> None:
    """Deck writes cloudProvider, skipExpressionEvaluation and a disabled trafficManagement on every deploy."""
    stage = DeployManifest(ref_id="1", name="Deploy", account="staging", manifest_artifact_id="ea").to_dict()

    assert stage == {
        "type": "deployManifest",
        "refId": "1",
        "requisiteStageRefIds": [],
        "name": "Deploy",
        "account": "staging",
        "cloudProvider": "kubernetes",
        "manifestArtifactId": "ea",
        "source": "artifact",
        "skipExpressionEvaluation": False,
        "trafficManagement": {"enabled": False, "options": {"enableTraffic": False, "services": []}},
    }


def test_manual_judgment_defaults_match_deck() -> None:
    """Deck's judgment defaults: failPipeline true, no inputs, no notifications, nothing else."""
    stage = ManualJudgment(ref_id="1", name="Manual Judgment").to_dict()

    assert stage == {
        "type": "manualJudgment",
        "refId": "1",
        "requisiteStageRefIds": [],
        "name": "Manual Judgment",
        "failPipeline": True,
        "judgmentInputs": [],
        "notifications": [],
    }


@pytest.mark.parametrize(
    ("policy", "flags"),
    [
        (FailurePolicy.halt_pipeline(), (True, False, False)),
        (FailurePolicy.halt_branch(), (False, False, False)),
        (FailurePolicy.halt_branch_then_fail(), (False, False, True)),
        (FailurePolicy.ignore(), (False, True, False)),
    ],
)
def test_failure_policy_is_three_flags_on_the_stage(policy: FailurePolicy, flags: tuple[bool, bool, bool]) -> None:
    """The named failure policies write Spinnaker's three flags at the stage's top level, and parse back."""
    stage = Wait(ref_id="1", wait_time=5, failure=policy)
    document = stage.to_dict()

    assert (
        document["failPipeline"],
        document["continuePipeline"],
        document["completeOtherBranchesThenFail"],
    ) == flags
    assert Wait.from_dict(document) == stage


def test_renamed_fields() -> None:
    """match/default, hours, parameters and roles use Spinnaker's own key names."""
    window = ExecutionWindow(hours=[HourRange(start_hour=9, end_hour=17)], days=[2])
    judgment = ManualJudgment(roles=["ops"], restricted_execution_window=window).to_dict()

    assert judgment["selectedStageRoles"] == ["ops"]
    assert judgment["restrictExecutionDuringTimeWindow"] is True
    assert judgment["restrictedExecutionWindow"] == {
        "whitelist": [{"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0}],
        "days": [2],
    }
    artifact = ExpectedArtifact(id="a", match=DockerImage(image="x"), default=DockerImage(image="x", tag="1"))
    assert set(artifact.to_dict()) == {
        "id",
        "matchArtifact",
        "defaultArtifact",
        "useDefaultArtifact",
        "usePriorArtifact",
    }


def test_artifact_kinds_speak_the_users_language() -> None:
    """Kinds compute names and references from what the user knows."""
    assert GitHubFile(path="k8s/a.yml", repo="acme/demo", version="main").to_dict() == {
        "type": "github/file",
        "name": "k8s/a.yml",
        "version": "main",
        "reference": "https://api.github.com/repos/acme/demo/contents/k8s/a.yml",
    }
    assert DockerImage(image="gcr.io/p/app", tag="v1").to_dict() == {
        "type": "docker/image",
        "name": "gcr.io/p/app",
        "version": "v1",
        "reference": "gcr.io/p/app:v1",
    }
    assert DockerImage(image="gcr.io/p/app", digest="sha256:ab").reference == "gcr.io/p/app@sha256:ab"
    assert GitLabFile(path="a/b.yml", project="g/p").reference == (
        "https://gitlab.com/api/v4/projects/g%2Fp/repository/files/a%2Fb.yml/raw"
    )
    assert S3Object(bucket="b", key="k", region="us-east-1").to_dict()["location"] == "us-east-1"
    assert GcsObject(bucket="b", path="p", generation="7").to_dict()["reference"] == "gs://b/p#7"
    with pytest.raises(ValueError, match="tag or a digest"):
        DockerImage(image="x", tag="1", digest="sha256:1")


def test_artifact_types_dispatch() -> None:
    """Known artifact types parse into their kind, kubernetes/* into KubernetesObject, the rest stay generic."""
    assert isinstance(ExpectedArtifact.from_dict({"matchArtifact": {"type": "github/file"}}).match, GitHubFile)
    k8s = ExpectedArtifact.from_dict({"matchArtifact": {"type": "kubernetes/configMap", "name": "c"}}).match
    assert isinstance(k8s, KubernetesObject)
    assert k8s.kind == "configMap"
    other = ExpectedArtifact.from_dict({"matchArtifact": {"type": "maven/file", "kind": "x"}}).match
    assert isinstance(other, GenericArtifact)
    assert other.to_dict() == {"type": "maven/file", "kind": "x"}


def test_unknown_keys_and_nulls_survive() -> None:
    """Keys the model does not know and explicit nulls come back as they were."""
    document = {
        "type": "deployManifest",
        "account": None,
        "manifestArtifact": None,
        "madeUp": {"nested": [1, None]},
        "trafficManagement": {"enabled": False, "options": {"namespace": None, "strategy": None}},
    }

    assert DeployManifest.from_dict(document).to_dict() == document


def test_unknown_stage_type_is_kept_whole() -> None:
    """An unknown stage type parses into GenericStage and renders every key back."""
    document = {"type": "kayentaCanary", "refId": "3", "canaryConfig": {"lifetimeDuration": "PT1H"}}
    pipeline = Pipeline.from_dict({"application": "a", "name": "n", "stages": [document]})

    assert isinstance(pipeline.stages[0], GenericStage)  # type: ignore[index]
    assert pipeline.to_dict()["stages"] == [document]


def test_typed_class_refuses_another_type() -> None:
    """Wait.from_dict of a judgment names the path and the way out."""
    with pytest.raises(PipelineFormatError, match=r"GenericStage\.from_dict") as error:
        Wait.from_dict({"type": "manualJudgment"})

    assert error.value.path == "$.type"


def test_typed_fields_win_over_extra() -> None:
    """A key given both as a field and in extra renders the field's value."""
    stage = Wait(wait_time=5, extra={"waitTime": 99, "x-note": "kept"})

    assert stage.to_dict()["waitTime"] == 5
    assert stage.to_dict()["x-note"] == "kept"


def test_output_does_not_share_state_with_the_model() -> None:
    """Mutating rendered output leaves the model unchanged."""
    stage = DeployManifest(manifests=[{"kind": "Namespace", "metadata": {"name": "a"}}])
    document = stage.to_dict()
    document["manifests"][0]["metadata"]["name"] = "changed"

    assert stage.to_dict()["manifests"][0]["metadata"]["name"] == "a"


def test_non_json_values_are_refused_when_built() -> None:
    """A value JSON cannot hold raises a clear error when the object is built, not broken output later."""
    with pytest.raises(PipelineFormatError, match="cannot hold set"):
        DeployManifest(manifests=[{"kind": {1, 2}}])


def test_the_converter_is_the_entry_point() -> None:
    """The one cattrs converter structures and unstructures every model class."""
    trigger = GitTrigger(source="github", project="acme", slug="demo")

    assert converter.structure(converter.unstructure(trigger), GitTrigger) == trigger


def test_rendering_is_byte_stable_across_processes() -> None:
    """Two fresh interpreters render the example chain to identical bytes."""
    script = textwrap.dedent(
        """
        import runpy, json
        chain = runpy.run_path("examples/artifact_promotion.py")["chain"]
        print(json.dumps([p.to_json() for p in chain.pipelines()]))
        """
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, check=True, cwd=ROOT, env={"PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    ]

    assert runs[0] == runs[1]
    assert len(json.loads(runs[0])) == 3
