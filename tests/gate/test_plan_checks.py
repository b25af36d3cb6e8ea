"""What every plan checks before anything is written: validation, leftovers, triggers that fire twice, locking."""

from __future__ import annotations

import pytest

from spinpromote import ValidationError
from spinpromote.gate import GateClient
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, contract_chain, pipeline_doc, typed

CHAIN_APP = "artifact-promotion-demo"


def test_an_invalid_chain_is_refused_before_any_request(fake: FakeGate, gate: GateClient) -> None:
    # only_if reads the judgment's choice, but with the default layout the judgment is in another pipeline:
    # orca's #judgment() sees only its own pipeline, so production would never deploy.
    invalid = contract_chain().deploy("canary", account="prod", only_if="yes")

    with pytest.raises(ValidationError) as caught:
        gate.plan(invalid)

    assert "#judgment('Staging Judgement') names the judgment of pipeline 'Staging Judgement'" in str(caught.value)
    assert fake.count() == 0
    plan = gate.plan(invalid, allow_invalid=True)
    assert plan.count("create") == 4
    assert any(
        "#judgment('Staging Judgement')" in warning and "allowed by allow_invalid" in warning
        for warning in plan.warnings
    )
    assert "! error: 'Deploy to Canary'" in str(plan)


def test_invalid_pipelines_given_as_documents_are_refused_too(gate: GateClient) -> None:
    broken = pipeline_doc("Deploy", stages=[{"refId": "1", "type": "wait", "name": "Wait"}])  # no waitTime

    with pytest.raises(ValidationError, match=r"'Deploy' \$\.stages\[0\]\.waitTime"):
        gate.plan([broken])


def test_warnings_show_in_the_plan_and_do_not_block(gate: GateClient) -> None:
    plan = gate.plan(typed(pipeline_doc("Deploy ")))

    assert plan.count("create") == 1
    assert any("front50 trims the name" in warning for warning in plan.warnings)
    assert "! warning: 'Deploy ' $.name" in str(plan)


def test_a_layout_switch_warns_of_leftovers_and_double_triggers(fake: FakeGate, gate: GateClient) -> None:
    gate.apply(gate.plan(contract_chain()))  # three pipelines; "Deploy to Staging" has the git trigger
    fake.store({**pipeline_doc("Hand made", application=CHAIN_APP), "triggers": []})

    switched = gate.plan(contract_chain().pipelines("single"))

    leftovers = [w for w in switched.warnings if "no longer defined" in w]
    assert len(leftovers) == 3
    assert any("'Deploy to Staging'" in w and "--prune" in w for w in leftovers)
    (double,) = [w for w in switched.warnings if "fire on the same" in w]
    assert "'Deploy to Staging'" in double and "git trigger" in double and "'acme'" in double
    single_name = switched.changes[0].name
    assert f"'{single_name}'" in double
    assert "Hand made" not in "".join(switched.warnings)

    pruned = gate.plan(contract_chain().pipelines("single"), prune=True)
    assert pruned.count("delete") == 3
    assert not [w for w in pruned.warnings if "no longer defined" in w or "fire on the same" in w]


def test_two_desired_pipelines_on_one_docker_repository_are_named(gate: GateClient) -> None:
    docker = {"type": "docker", "enabled": True, "account": "hub", "repository": "acme/app", "tag": ""}
    off = {**docker, "enabled": False}
    plan = gate.plan(
        typed(
            pipeline_doc("Deploy", triggers=[docker]),
            pipeline_doc("Deploy again", triggers=[docker]),
            pipeline_doc("Disabled trigger", triggers=[off]),
        )
    )

    assert [w for w in plan.warnings if "fire on the same" in w] == [
        "pipelines 'Deploy' and 'Deploy again' in 'demo' fire on the same docker trigger (account 'hub', "
        "repository 'acme/app'): one event starts both"
    ]


def test_lock_writes_what_deck_locks_and_unlocking_is_a_normal_change(fake: FakeGate, gate: GateClient) -> None:
    locked = gate.plan(typed(pipeline_doc("Deploy")), lock=True)
    gate.apply(locked)
    stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and stored["locked"] == {
        "ui": True,
        "allowUnlockUi": True,
        "description": "Managed by spinpromote: edit the code, not the UI",
    }
    assert gate.plan(typed(pipeline_doc("Deploy")), lock=True).has_changes is False

    unlock = gate.plan(typed(pipeline_doc("Deploy")))
    assert [c.action for c in unlock.changes] == ["update"]
    assert any(line.strip().startswith("- locked") for line in unlock.changes[0].diff)
    gate.apply(unlock)
    stored = fake.pipeline(APP, "Deploy")
    assert stored is not None and "locked" not in stored
