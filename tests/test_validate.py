"""Validation finds what Spinnaker would only reveal at run time, with a JSON path and advice."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote import (
    BakeManifest,
    CronTrigger,
    DeployManifest,
    DockerTrigger,
    ExpectedArtifact,
    GitHubFile,
    ManualJudgment,
    Moniker,
    Notification,
    Pipeline,
    PipelineTrigger,
    Problem,
    RunPipeline,
    ScaleManifest,
    ValidationError,
    Wait,
    Webhook,
)


def paths(pipeline: Pipeline, severity: str = "error") -> set[str]:
    """The paths of the problems of one severity."""
    return {p.path for p in pipeline.validate() if p.severity == severity}


def make(stages: list[Any] = (), **fields: Any) -> Pipeline:  # type: ignore[assignment]
    """A pipeline around the given stages."""
    return Pipeline(application="demo", name="p", stages=stages, **fields)


MANIFEST = ExpectedArtifact(id="ea", display_name="m", match=GitHubFile(path="a.yml", artifact_account="gh"))


def deploy(**fields: Any) -> DeployManifest:
    """A valid deploy stage, changed by ``fields``."""
    values: dict[str, Any] = {
        "ref_id": "1",
        "account": "staging",
        "manifest_artifact_id": "ea",
        "moniker": Moniker(app="demo"),
    }
    values.update(fields)
    return DeployManifest(**values)


def test_a_valid_pipeline_has_no_problems() -> None:
    """The baseline: nothing to report."""
    pipeline = make([deploy()], expected_artifacts=[MANIFEST])

    assert pipeline.validate() == []
    assert pipeline.check() is pipeline


def test_identity() -> None:
    """front50 needs a name and an application."""
    assert {"$.application", "$.name"} <= paths(Pipeline(application=" ", name=None))


def test_ref_ids_graph() -> None:
    """Duplicate refIds, dangling parents, cycles and no initial stage are errors."""
    duplicate = make([Wait(ref_id="1", wait_time=1), Wait(ref_id="1", wait_time=1)])
    assert "$.stages[1].refId" in paths(duplicate)

    dangling = make([Wait(ref_id="1", wait_time=1), Wait(ref_id="2", requisite_stage_ref_ids=["9"], wait_time=1)])
    assert "$.stages[1].requisiteStageRefIds[0]" in paths(dangling)

    cycle = make(
        [
            Wait(ref_id="0", wait_time=1),
            Wait(ref_id="1", requisite_stage_ref_ids=["2"], wait_time=1),
            Wait(ref_id="2", requisite_stage_ref_ids=["1"], wait_time=1),
        ]
    )
    assert any("cycle" in p.message for p in cycle.validate())

    no_start = make([Wait(ref_id="1", requisite_stage_ref_ids=["1"], wait_time=1)])
    assert "$.stages" in paths(no_start)


def test_non_string_ref_id() -> None:
    """orca casts refIds to String, so a number fails."""
    assert "$.stages[0].refId" in paths(make([Wait(ref_id=1, wait_time=1)]))  # type: ignore[arg-type]


def test_missing_ref_ids_everywhere_is_a_warning() -> None:
    """Legacy linear pipelines without refIds only work for manual starts."""
    pipeline = make([Wait(wait_time=1), Wait(wait_time=2)])

    assert paths(pipeline, "warning") == {"$.stages"}
    assert paths(pipeline) == set()


def test_artifact_references() -> None:
    """manifestArtifactId, requiredArtifactIds and trigger ids must name a declared or produced artifact."""
    pipeline = make(
        [deploy(manifest_artifact_id="nope", required_artifact_ids=["gone"])],
        expected_artifacts=[MANIFEST],
        triggers=[DockerTrigger(account="a", repository="r", expected_artifact_ids=["missing"])],
    )

    assert {
        "$.stages[0].manifestArtifactId",
        "$.stages[0].requiredArtifactIds[0]",
        "$.triggers[0].expectedArtifactIds[0]",
    } <= paths(pipeline)


def test_artifact_produced_upstream_is_available() -> None:
    """A stage may use what an upstream stage produces, not what a parallel one does."""
    produced = ExpectedArtifact(id="baked", display_name="b", match=GitHubFile(path="x", artifact_account="gh"))
    producer = Wait(ref_id="1", wait_time=1, expected_artifacts=[produced])
    after = deploy(ref_id="2", requisite_stage_ref_ids=["1"], manifest_artifact_id="baked")
    parallel = deploy(ref_id="3", manifest_artifact_id="baked")

    assert paths(make([producer, after, parallel])) == {"$.stages[2].manifestArtifactId"}


def test_deploy_manifest_requirements() -> None:
    """moniker.app and the account are needed (clouddriver refuses an operation without credentials);
    cloudProvider kubernetes too (a warning: the simulator does not model other providers)."""
    pipeline = make([deploy(account=None, cloud_provider="aws", moniker=None)], expected_artifacts=[MANIFEST])

    assert {"$.stages[0].moniker.app", "$.stages[0].account"} <= paths(pipeline)
    assert "$.stages[0].cloudProvider" in paths(pipeline, "warning")


def test_manifest_artifact_without_account() -> None:
    """A manifest matcher without artifactAccount fails the deploy with 'No manifest artifact account'."""
    loose = ExpectedArtifact(id="ea", display_name="m", match=GitHubFile(path="a.yml"))
    problems = make([deploy()], expected_artifacts=[loose]).validate()

    assert [p.path for p in problems] == ["$.stages[0].manifestArtifactId"]
    assert "artifact_account" in problems[0].message


def test_pipeline_trigger_checks() -> None:
    """A pipeline trigger needs an upstream id and a non-empty status list."""
    pipeline = make(triggers=[PipelineTrigger(application="demo", pipeline=None, status=[])])

    assert {"$.triggers[0].pipeline", "$.triggers[0].status"} <= paths(pipeline)


def test_cron_needs_quartz() -> None:
    """Five-field (Unix) cron expressions are not what echo reads."""
    assert "$.triggers[0].cronExpression" in paths(make(triggers=[CronTrigger(cron_expression="0 * * * *")]))


def test_judgment_and_stage_lookups() -> None:
    """#judgment names a Manual Judgment of the pipeline; #stage any stage."""
    judge = ManualJudgment(ref_id="1", name="Approve", judgment_inputs=["yes"])
    good = deploy(ref_id="2", requisite_stage_ref_ids=["1"], stage_enabled="#judgment('Approve') == 'yes'")
    bad = deploy(ref_id="3", requisite_stage_ref_ids=["1"], stage_enabled="#judgment('approve') == 'yes'")
    wrong = Webhook(ref_id="4", url="https://x/${#stage('Nope').status}", method="GET")
    pipeline = make([judge, good, bad, wrong], expected_artifacts=[MANIFEST])

    assert paths(pipeline) == {"$.stages[2].stageEnabled.expression", "$.stages[3].url"}


@pytest.mark.parametrize("timeout", [0, -5, "soon"])
def test_non_positive_timeouts(timeout: Any) -> None:
    """Timeouts should be positive numbers or SpEL (a warning: the simulator cannot confirm a failure)."""
    pipeline = make([Wait(ref_id="1", wait_time=1, stage_timeout_ms=timeout)])
    assert "$.stages[0].stageTimeoutMs" in paths(pipeline, "warning")


def test_spel_timeout_is_fine() -> None:
    """A ${...} timeout is accepted, as Deck accepts it."""
    assert paths(make([Wait(ref_id="1", wait_time=1, stage_timeout_ms="${parameters.t}")])) == set()


def test_judgment_notifications_use_judgment_events() -> None:
    """stage.* events never fire on a judgment."""
    stage = ManualJudgment(ref_id="1", notifications=[Notification.slack("#x", when=["stage.failed"])])

    assert "$.stages[0].notifications[0].when[0]" in paths(make([stage]), "warning")


def test_stage_specific_requirements() -> None:
    """wait, pipeline, webhook, bake and selector stages need their fields."""
    pipeline = make(
        [
            Wait(ref_id="1"),
            RunPipeline(ref_id="2"),
            Webhook(ref_id="3", method=None),
            BakeManifest(ref_id="4"),
            ScaleManifest(ref_id="5", mode="static"),
        ]
    )

    assert {
        "$.stages[0].waitTime",
        "$.stages[1].pipeline",
        "$.stages[3].expectedArtifacts",
        "$.stages[3].inputArtifacts",
        "$.stages[4].manifestName",
    } <= paths(pipeline)
    unconfirmed = {"$.stages[2].url", "$.stages[2].method", "$.stages[3].outputName", "$.stages[4].replicas"}
    unconfirmed |= {"$.stages[4].account", "$.stages[4].location"}
    assert unconfirmed <= paths(pipeline, "warning")


def test_check_lists_every_error_at_once() -> None:
    """check() raises one ValidationError carrying all errors, warnings left out."""
    pipeline = make([Wait(ref_id="1"), RunPipeline(ref_id="2")])

    with pytest.raises(ValidationError) as error:
        pipeline.check()

    assert {p.path for p in error.value.problems} == {"$.stages[0].waitTime", "$.stages[1].pipeline"}
    assert "$.stages[1].pipeline" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_problem_reads_well() -> None:
    """A problem prints its severity, pipeline and path."""
    problem = Problem(path="$.stages[0]", message="fix it", severity="warning", pipeline="p")

    assert str(problem) == "warning: 'p' $.stages[0]: fix it"
