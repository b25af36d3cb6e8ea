"""The SpEL subset (kork ExpressionTransform.java:149-231; orca StageExpressionFunctionProvider.java:152-211;
kork ExpressionsSupport.java:239-332)."""

from __future__ import annotations

from typing import Any

import pytest

from spinpromote.sim import Spinnaker
from spinpromote.sim.spel import EvaluationError, NotSimulated, Scope, evaluate, evaluate_string

SCOPE = Scope(
    {
        "trigger": {"branch": "main", "tag": "v2", "parameters": {"n": "3"}},
        "parameters": {"env": "prod", "count": "7", "flag": True},
        "execution": {"id": "01", "name": "Deploy"},
        "list": ["a", "b"],
    },
    functions={"judgment": lambda name: {"Approve": "yes"}[name]},
)


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 == 1", True),
        ("'a' != 'b'", True),
        ("3 > 2 and 2 >= 2", True),
        ("3 lt 2 or not false", True),
        ("!(1 == 1) || true && false", False),
        ("trigger['branch'] == 'main'", True),
        ("trigger.tag", "v2"),
        ("parameters.env == 'prod' ? 'p' : 'o'", "p"),
        ("#toInt(parameters['count']) + 1", 8),
        ("#toInt(trigger.parameters.n) > 2", True),
        ("parameters.env.equals('prod')", True),
        ("parameters.env.contains('ro')", True),
        ("list.contains('b')", True),
        ("execution.name", "Deploy"),
        ("#judgment('Approve') == 'yes'", True),
        ("parameters.missing ?: 'fallback'", "fallback"),
        ("parameters?.env", "prod"),
        ("'it''s'", "it's"),
        ("1 == '1'", False),
        ("#alphanumerical('a-b_c')", "abc"),
        ("#toBoolean('TRUE')", True),
        ("trigger.tag matches 'v[0-9]+'", True),
        ("trigger.tag matches 'v'", False),
        ("trigger.branch.substring(0, 2) + trigger.tag.replace('v', '-')", "ma-2"),
        ("trigger.tag.matches('v.*') && trigger.branch.indexOf('ai') == 1", True),
    ],
)
def test_supported_expressions(expression: str, value: Any) -> None:
    """Literals, comparison, and/or/not, &&/||/!, ternary, trigger[...], parameters, execution, helpers, methods."""
    assert evaluate(expression, SCOPE) == value


@pytest.mark.parametrize(
    "expression", ["#fromUrl('http://x')", "2 * 3", "T(java.lang.Math).max(1, 2)", "parameters.env.codePointAt(0)"]
)
def test_outside_the_subset_is_not_simulated(expression: str) -> None:
    """The simulator names what it does not evaluate instead of guessing."""
    with pytest.raises(NotSimulated, match="expression not simulated"):
        evaluate(expression, SCOPE)


def test_errors_keep_the_raw_text_and_are_recorded() -> None:
    """X1: a failing part keeps its text and adds a summary entry (ExpressionTransform.java:179-217)."""
    errors: list[str] = []
    assert evaluate_string("x-${missing.field}-y", SCOPE, errors) == "x-${missing.field}-y"
    assert len(errors) == 1 and "cannot be found on null" in errors[0]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("${'abc'.substring('x')}", "EL1004E: Method call: Method substring(java.lang.String) cannot be found on type"),
        ("${'a'.equals()}", "EL1004E: Method call: Method equals() cannot be found on type java.lang.String"),
        ("${{1,2}.contains()}", "Method contains() cannot be found on type java.util.ArrayList"),
        ("${'abc'.split('(')}", "EL1023E: A problem occurred whilst attempting to invoke method 'split'"),
    ],
)
def test_misused_methods_are_evaluation_failures(text: str, says: str) -> None:
    """A method SpEL cannot call, or one that throws, is an evaluation failure: the raw text is kept and a summary
    entry added (ExpressionTransform.java:179-217), as for any other failing expression."""
    errors: list[str] = []
    assert evaluate_string(text, SCOPE, errors) == text
    assert len(errors) == 1 and says in errors[0]


def test_a_misused_method_in_a_stage_field_does_not_stop_the_stage() -> None:
    spin = Spinnaker()
    bad = {"type": "wait", "name": "w", "refId": "1", "waitTime": 1, "comment": "${'abc'.substring('x')}"}
    spin.save({"application": "demo", "name": "p", "stages": [bad]})
    run = spin.run("demo", "p")
    spin.advance(60)

    run = spin.execution(run.id)
    assert run.status == "SUCCEEDED"
    assert run.stages[0].context["comment"] == "${'abc'.substring('x')}"


def test_whole_expression_is_typed_and_mixed_is_text() -> None:
    """Exactly ${expr} yields the typed value; mixed text yields text."""
    assert evaluate_string("${#toInt(parameters.count)}", SCOPE, []) == 7
    assert evaluate_string("n=${#toInt(parameters.count)}", SCOPE, []) == "n=7"
    assert evaluate_string("no expression", SCOPE, []) == "no expression"


def test_non_boolean_in_boolean_position_fails() -> None:
    """SpEL cannot convert a string to boolean; in stageEnabled that means SKIPPED."""
    with pytest.raises(EvaluationError):
        evaluate("parameters.env and true", SCOPE)


def test_stage_status_is_an_enum_until_to_string() -> None:
    """#stage('X').status is an ExecutionStatus: compare its toString() (StageExpressionFunctionProvider.java)."""
    from spinpromote.sim import Spinnaker
    from tests.sim._build import pipeline, webhook

    spin = Spinnaker()
    document = pipeline(
        "P",
        webhook("Tests"),
        {
            **webhook("Raw"),
            "stageEnabled": {"type": "expression", "expression": "#stage('Tests').status == 'SUCCEEDED'"},
        },
        {
            **webhook("Str"),
            "stageEnabled": {"type": "expression", "expression": "#stage('Tests').status.toString() == 'SUCCEEDED'"},
        },
    )
    spin.save(document)
    run = spin.run("demo", "P")
    spin.settle()
    assert [s.status for s in spin.execution(run.id).stages] == ["SUCCEEDED", "SKIPPED", "SUCCEEDED"]
