"""The HTTP layer: timeouts, TLS and redirects by default, retries, error mapping, request ids."""

from __future__ import annotations

import logging
import time
import warnings

import pytest

from spinpromote.errors import SpinpromoteError
from spinpromote.gate import (
    BasicAuth,
    GateAuthError,
    GateClient,
    GateConflictError,
    GateConnectionError,
    GateHTTPError,
    GateTimeout,
    RetryPolicy,
    Timeout,
)
from spinpromote.testing import FakeGate, Faults
from tests.gate.conftest import APP, FAST_RETRY, RecordingSession, pipeline_doc

LIST_PATH = f"/applications/{APP}/pipelineConfigs"


def test_every_request_has_timeouts_tls_verification_and_no_redirects(fake: FakeGate) -> None:
    session = RecordingSession()
    with GateClient(fake.url, session=session) as gate:
        gate.list_pipeline_configs(APP)

    (call,) = session.calls
    assert call["timeout"] == (Timeout().connect, Timeout().read) == (5.0, 60.0)
    assert call["verify"] is True
    assert call["allow_redirects"] is False


def test_a_passed_in_session_stays_open_and_a_timeout_can_be_one_number(fake: FakeGate) -> None:
    session = RecordingSession()
    with GateClient(fake.url, session=session, timeout=3, verify="/etc/ca.pem") as gate:
        gate.list_pipeline_configs(APP)
    gate.list_pipeline_configs(APP)  # still usable: close() left the caller's session alone

    assert [call["timeout"] for call in session.calls] == [(3, 3), (3, 3)]
    assert session.calls[0]["verify"] == "/etc/ca.pem"


def test_a_redirect_to_login_is_an_auth_error_with_a_hint_and_is_not_followed() -> None:
    with FakeGate(users={"alice": "secret"}) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        with pytest.raises(GateAuthError) as caught:
            gate.list_pipeline_configs(APP)
        paths = [request.path for request in fake.requests]

    message = str(caught.value)
    assert "redirected" in message and "/login" in message and "hint: no credentials were given" in message
    assert paths == [LIST_PATH]  # never went to /login
    assert caught.value.response.status == 302
    assert isinstance(caught.value, SpinpromoteError)


@pytest.mark.parametrize(("mode", "detail"), [("401", "HTTP 401"), ("login-page", "web page instead of JSON")])
def test_a_401_or_an_html_answer_is_an_auth_error(mode: str, detail: str) -> None:
    with FakeGate(tokens={"t"}, unauthenticated=mode) as fake:  # type: ignore[arg-type]
        with GateClient(fake.url, retry=FAST_RETRY) as gate, pytest.raises(GateAuthError) as caught:
            gate.list_pipeline_configs(APP)

    assert detail in str(caught.value)


def test_transient_failures_of_reads_are_retried(fake: FakeGate, gate: GateClient) -> None:
    fake.store(pipeline_doc("Deploy"))
    for kind in (502, 503, 504, 429, "drop"):
        fake.fail_next(kind, method="GET")  # type: ignore[arg-type]

    names = [p["name"] for p in gate.list_pipeline_configs(APP)]

    assert names == ["Deploy"]
    assert [r.fault for r in fake.requests] == ["502", "503", "504", "429", "drop", None]


def test_retry_after_is_honoured() -> None:
    with FakeGate(faults=Faults(retry_after=0.3)) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.fail_next(429)
        started = time.monotonic()
        gate.list_pipeline_configs(APP)
        elapsed = time.monotonic() - started

    assert elapsed >= 0.3
    assert fake.count("GET", LIST_PATH) == 2


def test_retries_are_bounded(fake: FakeGate) -> None:
    fake.fail_next(503, times=100)
    with GateClient(fake.url, retry=RetryPolicy(attempts=3, backoff=0.001)) as gate:
        with pytest.raises(GateHTTPError) as caught:
            gate.list_pipeline_configs(APP)

    assert caught.value.status == 503
    assert fake.count("GET", LIST_PATH) == 3


def test_a_500_is_not_retried(fake: FakeGate, gate: GateClient) -> None:
    fake.fail_next(500)

    with pytest.raises(GateHTTPError) as caught:
        gate.list_pipeline_configs(APP)

    assert caught.value.status == 500 and caught.value.gate_message == "Service unavailable"
    assert fake.count() == 1


def test_a_save_is_not_blindly_retried_after_a_502(fake: FakeGate, gate: GateClient) -> None:
    fake.fail_next(502, method="POST")

    with pytest.raises(GateHTTPError) as caught:
        gate.post_pipeline(pipeline_doc("Deploy"))

    assert caught.value.status == 502
    assert fake.count("POST", "/pipelines") == 1


def test_gate_error_bodies_become_typed_errors(fake: FakeGate, gate: GateClient) -> None:
    fake.store(pipeline_doc("Deploy"))

    with pytest.raises(GateHTTPError) as missing:
        gate.post_pipeline({"application": APP, "id": "x"})
    with pytest.raises(GateConflictError) as conflict:
        gate.post_pipeline({**pipeline_doc("DEPLOY"), "id": "another"})

    assert missing.value.status == 400
    assert missing.value.gate_message == "A pipeline requires name and application fields"
    assert missing.value.request.method == "POST" and missing.value.response.status == 400
    assert "already exists" in str(conflict.value.gate_message)


def test_a_slow_gate_is_a_timeout() -> None:
    with FakeGate(latency=0.4) as fake:
        with GateClient(fake.url, timeout=(1, 0.1), retry=RetryPolicy(attempts=2, backoff=0.001)) as gate:
            with pytest.raises(GateTimeout) as caught:
                gate.list_pipeline_configs(APP)

    assert "did not answer in time" in str(caught.value)
    assert caught.value.request.url.endswith(LIST_PATH)


def test_connection_refused_fails_fast_in_one_line() -> None:
    with FakeGate() as fake:
        url = fake.url  # the port is free again once the fake stops
    session = RecordingSession()
    started = time.monotonic()
    with GateClient(url, session=session) as gate:  # the default policy: 6 attempts, 0.5 s backoff
        with pytest.raises(GateConnectionError) as caught:
            gate.list_pipeline_configs(APP)

    assert str(caught.value) == f"cannot reach Gate at {url}: connection refused"
    assert len(session.calls) == 3  # a few quick attempts, not the whole policy
    assert time.monotonic() - started < 2


def test_tls_to_a_plain_http_gate_suggests_http(fake: FakeGate) -> None:
    https = fake.url.replace("http://", "https://")
    with GateClient(https, retry=FAST_RETRY) as gate:
        with pytest.raises(GateConnectionError) as caught:
            gate.list_pipeline_configs(APP)

    assert f"try {fake.url}" in str(caught.value)


def test_credentials_over_plain_http_to_a_remote_host_warn() -> None:
    with pytest.warns(UserWarning, match="unencrypted to gate.example.com"):
        GateClient("http://gate.example.com", auth=BasicAuth("alice", "pw")).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GateClient("http://localhost:8084", auth=BasicAuth("alice", "pw")).close()
        GateClient("https://gate.example.com", auth=BasicAuth("alice", "pw")).close()
        GateClient("http://gate.example.com").close()  # nothing secret to send


def test_request_ids_are_sent_and_logged(fake: FakeGate, gate: GateClient, caplog: pytest.LogCaptureFixture) -> None:
    fake.fail_next(503)
    with caplog.at_level(logging.DEBUG, logger="spinpromote.gate"):
        gate.list_pipeline_configs(APP)

    ids = [request.request_id for request in fake.requests]
    assert len(ids) == 2 and all(ids) and len(set(ids)) == 2
    assert all(request_id in caplog.text for request_id in ids if request_id)


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ValueError, match="auth=BasicAuth"):
        GateClient("https://alice:secret@gate.example.com")


def test_get_pipeline_and_application_answer_none_when_missing() -> None:
    with FakeGate(applications=["demo"]) as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store(pipeline_doc("Deploy"))

        found = gate.get_pipeline(APP, "Deploy")
        assert found is not None and found.name == "Deploy"
        assert gate.get_pipeline(APP, "Missing") is None
        assert gate.get_application("demo") is not None
        assert gate.get_application("nope") is None
