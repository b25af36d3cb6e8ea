"""Rendering and parsing: Deck's defaults, discriminators, renames, nulls, unknown keys, determinism."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
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
from spinpromote.cli import main
from spinpromote.codec import converter, is_written, loads, wire_path
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
    document = {"type": "rollingRestartManifest", "refId": "3", "options": {"wait": "PT1H"}}
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


# ---------------------------------------------------------------------------------------------------
# Plain collections, immutability, hashing


def test_collections_are_tuples_and_mappings_read_only_by_default() -> None:
    """No None to guard against: collections default to (), mappings to an empty read-only mapping."""
    stage = DeployManifest(account="staging")

    assert stage.manifests == () and stage.required_artifacts == () and stage.expected_artifacts == ()
    assert dict(stage.extra) == {} and dict(Wait().extra) == {}
    assert Pipeline(application="demo", name="p").stages[:1] == ()


def test_mapping_fields_cannot_be_changed() -> None:
    """extra and other mappings refuse changes, nested values included."""
    pipeline = Pipeline(application="demo", name="p", extra={"x-team": {"owners": ["ops"]}})

    with pytest.raises(TypeError, match="read-only"):
        pipeline.extra["x"] = 1  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        pipeline.extra["x-team"]["owners"] = ()
    with pytest.raises(AttributeError):
        pipeline.extra["x-team"]["owners"].append("dev")
    assert pipeline.to_dict()["x-team"] == {"owners": ["ops"]}


def test_construction_copies_and_mutates_nothing_it_was_given() -> None:
    """The caller's dicts and lists are copied: changing them later leaves the model alone, and building
    the model changes none of them."""
    manifest = {"kind": "Deployment", "spec": {"replicas": 2, "ports": [80]}}
    extra = {"x-labels": {"team": "ops"}}
    given = copy.deepcopy((manifest, extra))
    stage = DeployManifest(account="staging", manifests=[manifest], extra=extra)

    assert (manifest, extra) == given
    manifest["spec"]["replicas"] = 9  # type: ignore[index]
    manifest["spec"]["ports"].append(443)  # type: ignore[index]
    extra["x-labels"]["team"] = "dev"

    document = stage.to_dict()
    assert document["manifests"] == [{"kind": "Deployment", "spec": {"replicas": 2, "ports": [80]}}]
    assert document["x-labels"] == {"team": "ops"}


def test_parsing_mutates_nothing_it_was_given() -> None:
    """from_dict leaves the document as it was, and the parsed model shares nothing with it."""
    document = {
        "application": "demo",
        "name": "p",
        "stages": [{"type": "deployManifest", "refId": "1", "manifests": [{"kind": "Namespace"}], "x": [1]}],
        "x-extra": {"a": None},
    }
    given = copy.deepcopy(document)
    pipeline = Pipeline.from_dict(document)

    assert document == given
    document["stages"][0]["manifests"][0]["kind"] = "Changed"  # type: ignore[index]
    assert pipeline.to_dict() == given


def test_every_model_object_is_hashable_and_equal_by_value() -> None:
    """Equal pipelines hash alike, whether built in Python or parsed in another key order."""
    built = Pipeline(
        application="demo",
        name="p",
        stages=[DeployManifest(ref_id="1", account="a", manifests=[{"kind": "Namespace"}], extra={"x": [1]})],
    )
    document = built.to_dict()
    reordered = dict(reversed(list(document.items())))
    parsed = Pipeline.from_dict(reordered)

    assert parsed == built
    assert hash(parsed) == hash(built)
    assert len({built, parsed, Pipeline.from_json(built.to_json())}) == 1
    assert json.dumps(parsed.to_dict()) == json.dumps(reordered)


# ---------------------------------------------------------------------------------------------------
# Key order, absent, null and empty


def test_parsed_objects_keep_key_order_absent_null_and_empty() -> None:
    """A parsed stage renders its keys in input order; absent stays absent, null null, [] and {} as given."""
    document = {
        "name": "Deploy",
        "account": None,
        "refId": "1",
        "type": "deployManifest",
        "requiredArtifactIds": [],
        "failPipeline": None,
        "labelSelectors": {},
        "manifests": None,
        "x-custom": None,
        "continuePipeline": True,
    }
    stage = DeployManifest.from_dict(document)

    assert stage.requisite_stage_ref_ids == () and stage.manifests == () and stage.failure is not None
    assert json.dumps(stage.to_dict()) == json.dumps(document)


def test_edited_parsed_objects_keep_their_order_and_add_new_keys_at_the_end() -> None:
    """Changing a parsed stage keeps the input's layout; keys set since come after, in model order."""
    document = {"waitTime": 5, "type": "wait", "name": "Soak", "refId": "2", "requisiteStageRefIds": ["1"]}
    stage = Wait.from_dict(document)

    edited = attrs.evolve(stage, wait_time=10, comments="longer", skip_wait_text="skip")

    assert list(edited.to_dict()) == [*document, "comments", "skipWaitText"]
    assert edited.to_dict()["waitTime"] == 10
    assert "name" not in attrs.evolve(stage, name=None).to_dict()


def test_objects_built_in_python_render_in_decks_order() -> None:
    """Built in Python, a stage starts with its type and follows the model's order."""
    stage = ManualJudgment(name="Approve", ref_id="3", requisite_stage_ref_ids=["2"], instructions="Look")

    assert list(stage.to_dict()) == [
        "type",
        "refId",
        "requisiteStageRefIds",
        "name",
        "failPipeline",
        "instructions",
        "judgmentInputs",
        "notifications",
    ]


# ---------------------------------------------------------------------------------------------------
# Errors name the JSON path in wire names; scalars are strict


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d["stages"][2].update(waitTime={"s": 1}), "$.stages[2].waitTime", "a string or a whole number"),
        (lambda d: d["stages"][2].update(waitTime=True), "$.stages[2].waitTime", "got a boolean"),
        (lambda d: d["stages"][0].update(name={"x": 1}), "$.stages[0].name", "expected a string, got an object"),
        (lambda d: d["stages"][0].update(failPipeline="yes"), "$.stages[0].failPipeline", "true or false"),
        (lambda d: d.update(limitConcurrent=1), "$.limitConcurrent", "true or false"),
        (lambda d: d["parameterConfig"].append({"name": 5}), "$.parameterConfig[0].name", "a string"),
        (lambda d: d["stages"][1].update(requisiteStageRefIds="1"), "$.stages[1].requisiteStageRefIds", "a list"),
        (lambda d: d["stages"][1].update(requisiteStageRefIds=[None]), "$.stages[1].requisiteStageRefIds[0]", "null"),
        (lambda d: d["stages"][0].update(type=7), "$.stages[0].type", "a string"),
        (lambda d: d["stages"].append({"name": "no type"}), "$.stages[3].type", "needs a type"),
        (
            lambda d: d.setdefault("expectedArtifacts", []).append(
                {"matchArtifact": {"type": "docker/image", "name": []}}
            ),
            "$.expectedArtifacts[0].matchArtifact.name",
            "a string",
        ),
        (
            lambda d: d["stages"][1].update(restrictedExecutionWindow={"whitelist": [{"startHour": "9"}]}),
            "$.stages[1].restrictedExecutionWindow.whitelist[0].startHour",
            "a whole number",
        ),
        (
            lambda d: d["stages"][0].update(**{"odd key": float("nan")}),
            '$.stages[0]["odd key"]',
            "nan is not a JSON number",
        ),
    ],
)
def test_format_errors_name_the_wire_path(change: Any, path: str, message: str) -> None:
    """A malformed value anywhere raises PipelineFormatError at its JSON path, in Spinnaker's key names."""
    document = Pipeline(
        application="demo",
        name="p",
        stages=[ManualJudgment(ref_id="1"), Wait(ref_id="2", wait_time=1), Wait(ref_id="3", wait_time=2)],
    ).to_dict()
    change(document)

    with pytest.raises(PipelineFormatError, match=message) as caught:
        Pipeline.from_dict(document)
    assert caught.value.path == path


def test_wire_path_is_the_codecs_own_rename_table() -> None:
    """wire_path gives the key each field is written under, renames included."""
    assert wire_path(Pipeline, "parameters") == "parameterConfig"
    assert wire_path(ExpectedArtifact, "default") == "defaultArtifact"
    assert wire_path(ManualJudgment, "roles") == "selectedStageRoles"
    assert wire_path(DeployManifest, "namespace_override") == "namespaceOverride"
    assert wire_path(KubernetesObject, "kind") == "type"
    for cls, field in [(Wait, "wait_time"), (ExecutionWindow, "hours"), (GitTrigger, "expected_artifact_ids")]:
        value = {"wait_time": 7, "hours": [HourRange(start_hour=1)], "expected_artifact_ids": ["a"]}[field]
        assert wire_path(cls, field) in cls(**{field: value}).to_dict()
    with pytest.raises(ValueError, match="no field 'nope'"):
        wire_path(Wait, "nope")
    with pytest.raises(ValueError, match="three keys"):
        wire_path(Wait, "failure")


# ---------------------------------------------------------------------------------------------------
# Hostile input (issue 9): non-finite numbers, nesting depth, duplicate keys


@pytest.mark.parametrize(
    ("number", "shown"), [("1e999", "1e999"), ("-1e999", "-1e999"), ("NaN", "NaN"), ("Infinity", "Infinity")]
)
def test_non_finite_numbers_are_refused_with_a_path(number: str, shown: str) -> None:
    """1e999 would parse as infinity and break rendering and Gate later: it fails at parse time, with a path."""
    text = '{"application": "a", "name": "p", "stages": [{"type": "wait", "x": [0, ' + number + "]}]}"

    with pytest.raises(PipelineFormatError, match=f"{shown} is not a finite number") as caught:
        Pipeline.from_json(text)
    assert caught.value.path == "$.stages[0].x[1]"


def test_non_finite_numbers_built_in_python_are_refused() -> None:
    """A Python infinity is refused when built into a JSON value, and when rendered from a typed field."""
    with pytest.raises(PipelineFormatError, match="finite"):
        Pipeline(application="a", name="p", extra={"x": [float("inf")]})
    with pytest.raises(PipelineFormatError, match="finite") as caught:
        Pipeline(application="a", name="p", stages=[Wait(wait_time=float("nan"))]).to_json()  # type: ignore[arg-type]
    assert caught.value.path == "$.stages[0].waitTime"


def _nested(levels: int) -> str:
    """A pipeline whose deepest value sits ``levels`` objects and lists below the root (the root counts)."""
    return '{"application": "a", "name": "p", "x": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def test_nesting_is_limited_to_100_levels() -> None:
    """100 levels of objects and lists parse; 101 are refused, saying the limit, from text and from dicts."""
    assert Pipeline.from_json(_nested(100)).to_json(indent=None) == json.dumps(
        json.loads(_nested(100)), separators=(",", ":")
    )
    for parse in (Pipeline.from_json, lambda text: Pipeline.from_dict(json.loads(text))):
        with pytest.raises(PipelineFormatError, match="deeper than 100 levels") as caught:
            parse(_nested(101))
        assert caught.value.path.startswith("$.x[0][0]")


def test_duplicate_keys_are_warnings_with_their_paths() -> None:
    """A key given twice keeps its last value, as in Spinnaker, and validate() warns at each path."""
    text = (
        '{"application": "a", "name": "first", "name": "p", "stages": []'
        ', "triggers": [{"type": "cron", "cronExpression": "0 0 * * * ?", "enabled": true, "enabled": false}]}'
    )
    pipeline = Pipeline.from_json(text)

    assert pipeline.name == "p" and pipeline.triggers[0].enabled is False
    warnings = [(p.path, p.severity) for p in pipeline.validate() if "given twice" in p.message]
    assert warnings == [("$.name", "warning"), ("$.triggers[0].enabled", "warning")]
    assert not [p for p in Pipeline.from_json(Pipeline.from_json(text).to_json()).validate() if "twice" in p.message]


# ---------------------------------------------------------------------------------------------------
# The converter is cattrs', and its hooks are made per class on first use


def test_hooks_are_made_on_first_use() -> None:
    """Rendering and parsing one pipeline makes the functions of the classes it uses, and no others."""
    script = textwrap.dedent(
        """
        from spinpromote import Pipeline, Wait, codec
        Pipeline.from_json(Pipeline(application="a", name="b", stages=[Wait(wait_time=1)]).to_json())
        print(sorted(cls.__name__ for cls in codec._RENDERERS), sorted(cls.__name__ for cls in codec._PARSERS))
        """
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=ROOT, text=True)

    rendered, parsed = output.stdout.strip().split("] [")
    for made in (rendered, parsed):
        assert "'Pipeline'" in made and "'Wait'" in made
        assert "'DeployManifest'" not in made and "'GitHubFile'" not in made


def test_duplicate_keys_survive_loads_and_reach_the_command_line(tmp_path: Path, capsys: Any) -> None:
    """Read with `loads` (as the CLI reads files, lists of pipelines included), duplicates are still warned about."""
    text = (
        '[{"application": "a", "name": "p", "stages": []},'
        ' {"application": "a", "name": "q", "stages": [{"type": "wait", "refId": "1", "waitTime": 1, "waitTime": 2}]}]'
    )
    first, second = (Pipeline.from_dict(document) for document in loads(text))

    assert first.validate() == []
    assert [p.path for p in second.validate() if "twice" in p.message] == ["$.stages[0].waitTime"]
    assert second.stages[0].wait_time == 2  # type: ignore[union-attr]
    source = tmp_path / "pipelines.json"
    source.write_text(text, encoding="utf-8")
    assert main(["validate", str(source)]) == 0
    assert "warning: 'q' $.stages[0].waitTime: this key is given twice" in capsys.readouterr().out


def test_is_written_tells_absent_from_empty() -> None:
    """A parsed pipeline without ``stages`` (which orca fails on) is told from one with an empty list."""
    absent = Pipeline.from_dict({"application": "a", "name": "p"})
    empty = Pipeline.from_dict({"application": "a", "name": "p", "stages": []})
    null = Pipeline.from_dict({"application": "a", "name": "p", "stages": None})

    assert [is_written(p, "stages") for p in (absent, empty, null)] == [False, True, False]
    assert is_written(Pipeline(application="a", name="p"), "stages")
    assert not is_written(Pipeline(application="a", name="p"), "expected_artifacts")
    assert [p.path for p in absent.validate() if p.severity == "error"] == ["$.stages"]
    assert [p.path for p in empty.validate() if p.severity == "error"] == []
