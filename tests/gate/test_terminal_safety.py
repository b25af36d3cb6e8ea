"""Names and values from Gate never reach a terminal raw: plan text, apply progress, run --wait, errors."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinpromote._terminal import printable
from spinpromote.gate import ApplyEvent, ApplyResult, ChangeOutcome, Execution, GateClient, GateHTTPError
from spinpromote.planning import PipelineChange, make_plan
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc

# What a terminal acts on: C0 controls but the line feed (ESC starts CSI and OSC sequences, BEL ends OSC, CR
# rewrites the line), DEL, C1 controls (0x9b is a one-byte CSI), line and paragraph separators, bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")

HOSTILE_PIECES = [
    "\x1b[31mred\x1b[0m",
    "\x1b]0;new window title\x07",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;ZXZpbA==\x07",  # writes the clipboard
    "\x9b2J",  # C1 CSI: clear the screen
    "ok\rforged line",
    "\nPlan: 0 to create, 0 to update, 0 to delete, 5 unchanged.",
    "\u202eesrever",
    "\u2028",
    "\x00",
    "\x7f",
    "\"quoted\" and 'single'",
    "<script>alert(1)</script>",
    "${#stage('x')}",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_PIECES),
    st.text(st.characters(max_codepoint=0x3000, exclude_categories=["Cs"]), min_size=1, max_size=30),
    st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=4).map("".join),
    st.text(min_size=300, max_size=600),
).filter(str.strip)

SAFE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_terminal_safe(text: str) -> None:
    assert RAW.search(text) is None, repr(RAW.search(text))
    text.encode("utf-8")  # no lone surrogates: printing cannot fail


def test_printable_escapes_every_control_and_keeps_everything_else() -> None:
    assert printable("Deploy to Production ✓ été 🚀 \\ backslash") == "Deploy to Production ✓ été 🚀 \\ backslash"
    assert printable("\x1b]0;t\x07") == "\\e]0;t\\x07"
    assert printable("a\rb\nc\td") == "a\\rb\\nc\\td"
    assert printable("a\nb", multiline=True) == "a\nb"
    assert printable("\x9b\x7f\u2028\u202e\ud800") == "\\x9b\\x7f\\u2028\\u202e\\ud800"
    for piece in HOSTILE_PIECES:
        assert_terminal_safe(printable(piece))


@SAFE
@given(name=hostile_text, other=hostile_text, value=hostile_text, key=hostile_text)
def test_plan_text_from_hostile_names_and_values_is_terminal_safe(name: str, other: str, value: str, key: str) -> None:
    """Live and desired documents full of hostile text: every line of the plan is one safe line."""
    stage = {"refId": "1", "type": "wait", "name": other, key: value, "waitTime": 5}
    desired = [
        pipeline_doc(name, stages=[stage], description=value),
        pipeline_doc(f"{name} 2", upstream=name, stages=[{**stage, key: other}]),
    ]
    live_stage = {**stage, key: [value, {key: other}], "name": value}
    live = [
        {**pipeline_doc(name, stages=[live_stage]), "updateTs": "1", "description": other},
        {**pipeline_doc(other, stages=[live_stage]), "spinpromote": {"owner": "default"}},
    ]

    try:
        plan = make_plan(desired, {APP: live}, prune=True)
    except ValueError:  # front50 would refuse the desired names (equal ignoring case): nothing is shown
        return
    text = str(plan)

    assert_terminal_safe(text)
    headers = [line for line in text.splitlines() if re.match(r"^[+~=-] (create|update|unchanged|delete) ", line)]
    assert len(headers) == len(plan.changes)  # no name adds or forges a line
    assert_terminal_safe(plan._repr_html_())


@SAFE
@given(name=hostile_text, application=hostile_text, message=hostile_text)
def test_apply_progress_and_result_are_terminal_safe(name: str, application: str, message: str) -> None:
    change = PipelineChange(action="create", application=application, name=name, id="p-1")
    error = GateHTTPError(f"saving failed: {printable(message)}", status=400, gate_message=message)
    outcomes = (
        ChangeOutcome(change=change, status="failed", error=error),
        ChangeOutcome(change=change, status="skipped", reason=message),
    )

    for text in (
        str(ApplyEvent(kind="written", change=change, done=1, total=2)),
        str(ApplyResult(outcomes=outcomes)),
        *map(str, outcomes),
    ):
        assert_terminal_safe(text)


@SAFE
@given(name=hostile_text, stage=hostile_text, status=hostile_text)
def test_executions_print_safely(name: str, stage: str, status: str) -> None:
    execution = Execution.from_dict(
        {"id": "01H", "name": name, "status": status, "stages": [{"id": "s", "name": stage, "status": status}]}
    )

    assert_terminal_safe(str(execution))


EVIL = "Deploy \x1b]0;owned\x07\x1b[2J\r\u202eprod"


def test_apply_progress_against_a_gate_with_hostile_names() -> None:
    events: list[str] = []
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store(pipeline_doc(EVIL, description=EVIL))
        plan = gate.plan([pipeline_doc(EVIL), pipeline_doc(f"{EVIL} 2", upstream=EVIL)])
        result = gate.apply(plan, on_progress=lambda event: events.append(str(event)))

    for text in (str(plan), str(result), *events):
        assert_terminal_safe(text)
    assert "\\e]0;owned\\x07" in str(plan)
