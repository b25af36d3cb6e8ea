"""Every auth method against FakeGate, and no credential ever in a repr, a log, an error or a plan."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from spinpromote.gate import (
    ApplyError,
    BasicAuth,
    BearerToken,
    GateAuth,
    GateAuthError,
    GateClient,
    GateConnectionError,
    GateError,
    LdapLogin,
    SessionCookie,
    X509ClientCert,
)
from spinpromote.testing import FakeGate
from tests.gate.conftest import APP, FAST_RETRY, RecordingSession, pipeline_doc, typed

PASSWORD = "pa55-w0rd-never-shown"
TOKEN = "tok-3n-never-shown"
COOKIE = "c00kie-never-shown"


def test_basic_auth() -> None:
    with FakeGate(users={"alice": PASSWORD}) as fake:
        with GateClient(fake.url, auth=BasicAuth("alice", PASSWORD), retry=FAST_RETRY) as gate:
            assert gate.list_pipeline_configs(APP) == []
        with GateClient(fake.url, auth=BasicAuth("alice", "wrong"), retry=FAST_RETRY) as gate:
            with pytest.raises(GateAuthError, match="check the HTTP Basic credentials"):
                gate.list_pipeline_configs(APP)


@pytest.mark.parametrize("header", ["Authorization", "X-Spinnaker-Token"])
def test_bearer_token(header: str) -> None:
    with FakeGate(tokens={TOKEN}) as fake:
        with GateClient(fake.url, auth=BearerToken(TOKEN, header=header), retry=FAST_RETRY) as gate:
            assert gate.list_pipeline_configs(APP) == []
        with GateClient(fake.url, auth=BearerToken("other", header=header), retry=FAST_RETRY) as gate:
            with pytest.raises(GateAuthError):
                gate.list_pipeline_configs(APP)


def test_bearer_token_exchanged_at_login_first() -> None:
    with FakeGate(tokens={TOKEN}) as fake:
        session = RecordingSession()
        with GateClient(fake.url, auth=BearerToken(TOKEN, login_first=True), session=session) as gate:
            gate.list_pipeline_configs(APP)
            gate.list_pipeline_configs(APP)

        assert [(r.method, r.path) for r in fake.requests] == [("GET", "/login")] + [
            ("GET", f"/{'/'.join(['applications', APP, 'pipelineConfigs'])}")
        ] * 2
        assert "SESSION" in {cookie.name for cookie in session.cookies}


def test_session_cookie() -> None:
    with FakeGate(session_cookies={COOKIE}) as fake:
        with GateClient(fake.url, auth=SessionCookie(COOKIE), retry=FAST_RETRY) as gate:
            assert gate.list_pipeline_configs(APP) == []
        with GateClient(fake.url, auth=SessionCookie("stale"), retry=FAST_RETRY) as gate:
            with pytest.raises(GateAuthError, match="session cookie"):
                gate.list_pipeline_configs(APP)


def test_ldap_login_uses_the_session_and_logs_in_again_when_it_expires() -> None:
    with FakeGate(users={"alice": PASSWORD}) as fake:
        with GateClient(fake.url, auth=LdapLogin("alice", PASSWORD), retry=FAST_RETRY) as gate:
            gate.list_pipeline_configs(APP)
            gate.list_pipeline_configs(APP)
            assert fake.count("POST", "/login") == 1

            fake.expire_sessions()
            gate.list_pipeline_configs(APP)

        assert fake.count("POST", "/login") == 2
        assert fake.count("GET", f"/applications/{APP}/pipelineConfigs", status=200) == 3


def test_a_refused_ldap_login_is_an_auth_error() -> None:
    with FakeGate(users={"alice": PASSWORD}) as fake:
        with GateClient(fake.url, auth=LdapLogin("alice", "wrong"), retry=FAST_RETRY) as gate:
            with pytest.raises(GateAuthError, match="refused the LDAP login"):
                gate.list_pipeline_configs(APP)

        assert fake.count("GET") == 0  # nothing was sent without a session


def test_x509_client_certificate_and_extra_headers_go_on_every_request(tmp_path: Path) -> None:
    cert, key = tmp_path / "client.crt", tmp_path / "client.key"
    cert.write_text("not used over plain http")
    key.write_text("not used over plain http")
    with FakeGate(tokens={TOKEN}) as fake:
        session = RecordingSession()
        auth = X509ClientCert(str(cert), str(key))
        with GateClient(fake.url, auth=auth, headers={"X-Spinnaker-Token": TOKEN}, session=session) as gate:
            gate.list_pipeline_configs(APP)

    (call,) = session.calls
    assert call["cert"] == (str(cert), str(key))
    assert call["headers"]["X-Spinnaker-Token"] == TOKEN
    assert isinstance(auth, GateAuth)


def test_a_missing_client_certificate_is_a_connection_error(fake: FakeGate) -> None:
    with GateClient(fake.url, auth=X509ClientCert("/nonexistent/client.pem"), retry=FAST_RETRY) as gate:
        with pytest.raises(GateConnectionError, match=r"client\.pem"):
            gate.list_pipeline_configs(APP)


def secrets_in(text: str) -> list[str]:
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    return [secret for secret in (PASSWORD, TOKEN, COOKIE, basic) if secret in text]


@pytest.mark.parametrize(
    "auth",
    [BasicAuth("alice", PASSWORD), BearerToken(TOKEN), SessionCookie(COOKIE), LdapLogin("alice", PASSWORD)],
    ids=["basic", "bearer", "cookie", "ldap"],
)
def test_credentials_never_leak(auth: GateAuth, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):
        # Gate accepts nobody here, so every call fails with an auth error that must not show the secret.
        with FakeGate(users={"bob": "x"}) as fake:
            with GateClient(fake.url, auth=auth, headers={"X-Proxy-Key": TOKEN}, retry=FAST_RETRY) as gate:
                seen += [repr(auth), str(auth), repr(gate)]
                with pytest.raises(GateAuthError) as caught:
                    gate.list_pipeline_configs(APP)
                error = caught.value
                seen += [str(error), repr(error), repr(error.request), repr(error.response)]

        # A Gate that accepts the credentials: a plan, an apply that fails part-way, its report.
        with FakeGate(users={"alice": PASSWORD}, tokens={TOKEN}, session_cookies={COOKIE}) as fake:
            with GateClient(fake.url, auth=auth, headers={"X-Proxy-Key": TOKEN}, retry=FAST_RETRY) as gate:
                plan = gate.plan(typed(pipeline_doc("Deploy"), pipeline_doc("Verify", upstream="Deploy")))
                fake.store({**pipeline_doc("Deploy"), "id": "created-in-the-ui"})
                with pytest.raises(ApplyError) as failed:
                    gate.apply(plan)
                seen += [str(plan), repr(plan), str(failed.value), repr(failed.value.result)]
                seen += [repr(o.error.request) for o in failed.value.result.failed if isinstance(o.error, GateError)]

    seen.append(caplog.text)
    assert caplog.records, "the client logs its requests"
    assert secrets_in("\n".join(seen)) == []
