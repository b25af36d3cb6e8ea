"""Planning: ids adopted by name, references rewritten, server noise ignored, a readable stage-level diff."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from spinpromote.errors import ValidationError
from spinpromote.gate import OWNERSHIP_KEY, GateClient, GateError, GateResponseError, Plan
from spinpromote.gate._transport import MAX_ANSWER_DEPTH
from spinpromote.planning import comparable, drop_nulls, make_plan, rewrite_references
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, pipeline_doc, typed


def as_stored(document: dict[str, Any], *, owner: str | None = "default", **server: Any) -> dict[str, Any]:
    """What front50 would list after saving ``document``: server fields added, nulls gone."""
    stored = drop_nulls(copy.deepcopy(document))
    if owner is not None:
        stored[OWNERSHIP_KEY] = {"owner": owner}
    stored.update({"updateTs": "1700000000000", "lastModifiedBy": "alice", "schema": "1", "index": 3, **server})
    return stored


def actions(plan: Plan) -> dict[str, str]:
    return {change.name: change.action for change in plan.changes}


def test_live_ids_are_adopted_by_name_and_every_reference_follows() -> None:
    staging = pipeline_doc("Deploy to Staging")
    judgment = pipeline_doc("Judge", upstream="Deploy to Staging")
    finder = pipeline_doc(
        "Find",
        stages=[
            {"refId": "1", "type": "findArtifactFromExecution", "pipeline": staging["id"], "name": "Find"},
            {"refId": "2", "type": "pipeline", "pipeline": staging["id"], "name": "Run"},
        ],
    )
    live_staging = as_stored({**staging, "id": "made-in-the-ui", "name": "  deploy TO staging"}, owner=None)

    plan = make_plan([staging, judgment, finder], {APP: [live_staging]})

    by_name = {change.name: change for change in plan.changes}
    assert by_name["Deploy to Staging"].id == "made-in-the-ui"
    assert by_name["Deploy to Staging"].action == "update"  # the ownership marker and the name are new
    assert by_name["Judge"].body is not None and by_name["Judge"].body["triggers"][0]["pipeline"] == "made-in-the-ui"
    assert by_name["Find"].body is not None
    assert [stage["pipeline"] for stage in by_name["Find"].body["stages"]] == ["made-in-the-ui"] * 2
    assert by_name["Judge"].references == frozenset({"made-in-the-ui"})
    assert staging["id"] != "made-in-the-ui"  # the input was not changed
    assert judgment["triggers"][0]["pipeline"] == staging["id"]


def test_server_owned_fields_nulls_cron_ids_and_managed_accounts_are_not_changes() -> None:
    desired = pipeline_doc(
        "Nightly",
        description=None,
        triggers=[
            {"type": "cron", "enabled": True, "cronExpression": "0 0 3 * * ?"},
            {"type": "git", "enabled": True, "project": "acme", "slug": "demo", "runAsUser": None},
        ],
    )
    live = as_stored(desired, createTs="1", lastModified=1700000000000)
    live["triggers"][0]["id"] = "generated-by-front50"
    live["triggers"][1]["runAsUser"] = f"{desired['id']}@managed-service-account"

    plan = make_plan([desired], {APP: [live]})

    assert actions(plan) == {"Nightly": "unchanged"}
    assert not plan.has_changes
    (change,) = plan.changes
    assert change.body is not None and change.body["triggers"][0]["id"] == "generated-by-front50"  # kept stable


def test_json_types_matter_when_comparing() -> None:
    desired = pipeline_doc("Deploy")
    live = as_stored({**desired, "limitConcurrent": 1})

    assert actions(make_plan([desired], {APP: [live]})) == {"Deploy": "update"}


def test_the_diff_names_stages_and_fields() -> None:
    old = pipeline_doc("Deploy", upstream="Build", wait_time=30)
    new = pipeline_doc("Deploy", upstream="Build", wait_time=60, limitConcurrent=False)
    new["stages"].append({"refId": "2", "requisiteStageRefIds": ["1"], "type": "wait", "name": "Soak", "waitTime": 5})
    new["triggers"][0]["status"] = ["successful", "failed"]
    build = pipeline_doc("Build")

    plan = make_plan([build, new], {APP: [as_stored(build), as_stored(old)]})

    text = str(plan)
    assert plan.summary() == "Plan: 0 to create, 1 to update, 0 to delete, 1 unchanged."
    assert "~ update    demo / Deploy" in text
    assert "~ limitConcurrent: true -> false" in text
    assert '~ stage 1 "Wait" (wait)' in text and "~ waitTime: 30 -> 60" in text
    assert '+ stage 2 "Soak" (wait)' in text
    assert '~ trigger 0 (pipeline on "Build")' in text and '+ status[1]: "failed"' in text
    assert "= unchanged demo / Build" in text


def test_secret_looking_values_are_masked_in_the_diff() -> None:
    old = pipeline_doc("Deploy", triggers=[{"type": "git", "secret": "old-hmac-secret"}])
    new = pipeline_doc("Deploy", triggers=[{"type": "git", "secret": "new-hmac-secret"}])

    text = str(make_plan([new], {APP: [as_stored(old)]}))

    assert "~ secret: <sensitive> -> <sensitive>" in text
    assert "hmac-secret" not in text


def test_prune_deletes_only_what_this_owner_wrote() -> None:
    keep = pipeline_doc("Keep")
    live = [
        as_stored(keep),
        as_stored(pipeline_doc("Gone")),  # ours, no longer desired
        as_stored(pipeline_doc("Hand made"), owner=None),
        as_stored(pipeline_doc("Other team"), owner="team-b"),
    ]

    without = make_plan([keep], {APP: live})
    pruned = make_plan([keep], {APP: live}, prune=True)
    other_owner = make_plan([keep], {APP: live}, prune=True, owner="team-b")

    assert actions(without) == {"Keep": "unchanged"}
    assert actions(pruned) == {"Keep": "unchanged", "Gone": "delete"}
    assert actions(other_owner) == {"Keep": "update", "Other team": "delete"}


def test_desired_pipelines_front50_would_refuse_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        make_plan([pipeline_doc("Deploy"), pipeline_doc(" deploy"), {"application": APP, "name": " "}], {})

    messages = [problem.message for problem in caught.value.problems]
    assert len(messages) == 2
    assert "ignoring case" in messages[0] and "needs a name" in messages[1]


def test_rewrite_leaves_other_references_alone() -> None:
    document = {"triggers": [{"type": "jenkins", "pipeline": "a"}], "stages": [{"type": "wait", "pipeline": "a"}]}

    assert rewrite_references(document, {"a": "b"}) == document
    assert comparable({"index": 1, "schema": "1", "updateTs": "5"}) == {}


def test_the_client_reads_each_application_once_and_accepts_every_input_shape(fake: FakeGate, gate: GateClient) -> None:
    first, second = pipeline_doc("A"), pipeline_doc("B", application="other")
    fake.store(as_stored(first))

    from_dicts = gate.plan([first, second])
    from_pipelines = gate.plan(typed(first, second))
    from_one = gate.plan(typed(first)[0])

    assert actions(from_dicts) == actions(from_pipelines) == {"A": "unchanged", "B": "create"}
    assert actions(from_one) == {"A": "unchanged"}
    assert fake.count("GET", "/applications/demo/pipelineConfigs") == 3
    assert fake.count("GET", "/applications/other/pipelineConfigs") == 2
    assert fake.count("POST") == 0


def test_a_missing_application_is_flagged_and_apply_refuses_it() -> None:
    with FakeGate(applications=["demo"]) as fake, GateClient(fake.url) as gate:
        plan = gate.plan([pipeline_doc("Deploy", application="typo")])

        assert plan.missing_applications == ("typo",)
        assert "application 'typo' does not exist" in str(plan)
        with pytest.raises(GateError, match="do not exist in Spinnaker"):
            gate.apply(plan)
        assert fake.count("POST") == 0


def test_plan_shows_itself_in_notebooks_and_stays_short_in_repr() -> None:
    """A plan's repr is one line; its HTML colours additions, removals and changes."""
    with FakeGate() as fake, GateClient(fake.url) as gate:
        plan = gate.plan(typed(pipeline_doc("Deploy")))

    assert repr(plan) == "<Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged>"
    assert plan._repr_html_().startswith('<pre class="spinpromote-plan">')
    assert 'style="color:#047857">+ create' in plan._repr_html_()


def nested(depth: int, leaf: Any) -> Any:
    """A value ``depth`` levels deep, alternating objects and lists."""
    value = leaf
    for level in range(depth):
        value = {"level": value, "n": None} if level % 2 else [value]
    return value


@pytest.mark.parametrize("depth", [100, MAX_ANSWER_DEPTH - 5])
def test_documents_nested_as_deep_as_the_codec_allows_are_planned_and_applied(depth: int) -> None:
    """The codec accepts 100 levels of nesting, Gate's answers up to MAX_ANSWER_DEPTH: normalizing, diffing,
    planning and applying handle both (the document nests 3 levels more: pipeline, stages, stage)."""
    old = pipeline_doc("Deep", stages=[{"refId": "1", "type": "wait", "waitTime": 5, "deep": nested(depth, 1)}])
    new = pipeline_doc("Deep", stages=[{"refId": "1", "type": "wait", "waitTime": 5, "deep": nested(depth, 2)}])

    assert drop_nulls(new) != new and comparable(new) == comparable(drop_nulls(new))
    plan = make_plan([new], {APP: [as_stored(old)]})
    text = str(plan)

    assert actions(plan) == {"Deep": "update"}
    assert ".level" in text and "1 -> 2" in text
    with FakeGate() as fake, GateClient(fake.url) as gate:
        fake.store(old)
        result = gate.apply(gate.plan([new]))
        assert result.ok and fake.pipeline(APP, "Deep")["stages"][0]["deep"] == drop_nulls(nested(depth, 2))  # type: ignore[index]


def test_a_live_pipeline_nested_deeper_than_anything_handles_is_a_gate_error() -> None:
    with FakeGate() as fake, GateClient(fake.url) as gate:
        fake.store(pipeline_doc("Deep", stages=[{"refId": "1", "type": "wait", "deep": nested(MAX_ANSWER_DEPTH, 1)}]))

        with pytest.raises(GateResponseError, match=f"nested deeper than {MAX_ANSWER_DEPTH} levels"):
            gate.plan([pipeline_doc("Deep")])
