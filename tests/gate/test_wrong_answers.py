"""Wrong-shaped answers from Gate (or a proxy in its place) are GateErrors, never JSON or attribute errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from spinpromote.gate import ApplyError, GateClient, GateError, GateResponseError
from spinpromote.planning import plan_application
from spinpromote.testing import FakeGate, FaultKind
from spinpromote.testing._http import Answer
from tests.gate.conftest import APP, FAST_RETRY, pipeline_doc, typed

GARBAGE: list[FaultKind] = ["not-json", "html", "truncated", "wrong-type", "wrong-shape"]
LIST = f"/applications/{APP}/pipelineConfigs"

STAGES = [
    {"refId": "1", "type": "manualJudgment", "name": "Approve"},
]


def running_execution(fake: FakeGate, gate: GateClient) -> str:
    fake.store(pipeline_doc("Release", stages=STAGES))
    run_id = gate.trigger(APP, "Release")
    gate.wait_for_execution(run_id, timeout=5, poll_interval=0.005, stop_at_judgment=True)
    return run_id


# (what the client does, the request to garble, the set-up before it)
Call = Callable[[FakeGate, GateClient, str], Any]
CALLS: dict[str, tuple[Call, str, str]] = {
    "list_pipeline_configs": (lambda fake, gate, run: gate.list_pipeline_configs(APP), "GET", LIST),
    "list_pipelines": (lambda fake, gate, run: gate.list_pipelines(APP), "GET", LIST),
    "find_pipeline_config": (lambda fake, gate, run: gate.find_pipeline_config(APP, "Release"), "GET", LIST),
    "get_pipeline": (
        lambda fake, gate, run: gate.get_pipeline(APP, "Release"),
        "GET",
        f"/applications/{APP}/pipelineConfigs/Release",
    ),
    "get_application": (lambda fake, gate, run: gate.get_application(APP), "GET", f"/applications/{APP}"),
    "plan": (lambda fake, gate, run: gate.plan(typed(pipeline_doc("Release", stages=STAGES))), "GET", LIST),
    "trigger": (lambda fake, gate, run: gate.trigger(APP, "Release"), "POST", f"/pipelines/{APP}/Release"),
    "get_execution": (lambda fake, gate, run: gate.get_execution(run), "GET", "/pipelines/{run}"),
    "wait_for_execution": (
        lambda fake, gate, run: gate.wait_for_execution(run, timeout=5, poll_interval=0.005),
        "GET",
        "/pipelines/{run}",
    ),
    "judge": (lambda fake, gate, run: gate.judge(run, "continue", stage_id=stage_of(fake, run)), "PATCH", None),
    "executions": (lambda fake, gate, run: gate.executions(APP), "GET", f"/applications/{APP}/pipelines"),
    "executions of a pipeline": (lambda fake, gate, run: gate.executions(APP, "Release"), "GET", "/executions"),
    "write_application": (
        lambda fake, gate, run: gate.write_application(plan_application({"name": APP, "email": "a@b.c"}, None)),
        "POST",
        "/tasks",
    ),
}


def stage_of(fake: FakeGate, run_id: str) -> str:
    return str(fake.executions[run_id]["stages"][0]["id"])


@pytest.mark.parametrize("kind", GARBAGE)
@pytest.mark.parametrize("call", list(CALLS))
def test_every_call_turns_garbage_into_a_gate_error(call: str, kind: FaultKind) -> None:
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        run_id = running_execution(fake, gate)
        do, method, path = CALLS[call]
        fake.fail_next(kind, method=method, path=None if path is None else path.format(run=run_id))

        with pytest.raises(GateError) as caught:
            do(fake, gate, run_id)

        assert fake.requests[-1].fault == kind or any(r.fault == kind for r in fake.requests)
        error = caught.value
        assert error.__cause__ is None or isinstance(error.__cause__, GateError)
        if kind != "html":  # a web page in place of JSON is reported as a probable login page
            assert isinstance(error, GateResponseError), type(error)


def test_the_message_says_what_was_wrong() -> None:
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store(pipeline_doc("Deploy"))
        fake.fail_next("wrong-shape", method="GET")
        with pytest.raises(GateResponseError, match=r"a pipeline whose name is a number, not a string at \$\[0\]"):
            gate.list_pipeline_configs(APP)
        fake.fail_next("wrong-type", method="GET")
        with pytest.raises(GateResponseError, match="JSON: an object where a list of pipelines belongs"):
            gate.list_pipeline_configs(APP)
        fake.fail_next("not-json", method="GET")
        with pytest.raises(GateResponseError, match="not valid JSON") as caught:
            gate.list_pipeline_configs(APP)

    assert caught.value.response.status == 200
    assert caught.value.request.url.endswith(LIST)


def test_a_stored_pipeline_that_does_not_fit_the_model_is_a_gate_error_with_its_path() -> None:
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store({**pipeline_doc("Deploy"), "stages": [{"refId": "1", "type": "wait", "waitTime": {}}]})

        with pytest.raises(GateResponseError, match=r"@ \$\[0\]\.stages\[0\]\.waitTime"):
            gate.list_pipelines(APP)
        with pytest.raises(GateResponseError, match=r"@ \$\.stages\[0\]\.waitTime"):
            gate.get_pipeline(APP, "Deploy")


def test_a_garbled_save_answer_does_not_matter_the_save_is_read_back() -> None:
    """The client ignores what a save answers and reads the result back instead."""
    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        plan = gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("Verify", upstream="Deploy")))
        for kind in GARBAGE:
            if kind != "html":  # a web page for a save is a login page, most likely: see the test above
                fake.fail_next(kind, method="POST", path="/pipelines")

        result = gate.apply(plan)

    assert result.ok and len(result.written) == 2


class GarbleReadsAfterTheFirstSave(requests.Session):
    """A real session that, once a save succeeded, makes FakeGate answer every later listing with garbage."""

    def __init__(self, fake: FakeGate, kind: FaultKind) -> None:
        super().__init__()
        self.fake, self.kind = fake, kind

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        if method == "POST" and str(url).endswith("/pipelines") and response.ok:
            self.fake.fail_next(self.kind, method="GET", path=LIST, times=1000)
        return response


@pytest.mark.parametrize("kind", GARBAGE)
def test_an_apply_whose_writes_landed_keeps_its_result(kind: FaultKind) -> None:
    """Every read after the first save is garbage: the error carries the result, which says the save was sent."""
    with FakeGate() as fake:
        with GateClient(fake.url, retry=FAST_RETRY, session=GarbleReadsAfterTheFirstSave(fake, kind)) as gate:
            plan = gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("Verify", upstream="Deploy")))

            with pytest.raises(ApplyError) as caught:
                gate.apply(plan)

        assert [p["name"] for p in fake.pipelines(APP)] == ["Deploy"]  # the write landed
    result = caught.value.result
    deploy, verify = result.outcomes
    assert (deploy.status, verify.status) == ("failed", "failed")
    assert "'Deploy' was saved, but reading it back failed" in str(deploy.error)  # the result says it landed
    assert isinstance(deploy.error, GateError) and isinstance(verify.error, GateError)  # Verify: its re-read


def test_absurdly_deep_json_is_a_gate_error_not_a_recursion_error(
    fake: FakeGate, gate: GateClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's JSON parser recurses: 100,000 nested lists from a broken proxy must not escape as RecursionError."""
    deep = Answer(200, b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    monkeypatch.setattr("spinpromote.testing._fakegate.garble", lambda kind, real: deep)
    fake.fail_next("not-json", method="GET")

    with pytest.raises(GateResponseError, match="not valid JSON"):
        gate.list_pipeline_configs(APP)
