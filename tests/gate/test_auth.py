"""Every auth method against FakeGate, and no credential ever in a repr, a log, an error or a plan."""

from __future__ import annotations

import base64
import logging
import traceback
from pathlib import Path
from typing import Any

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
    RetryPolicy,
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


def exception_chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def test_credentials_read_from_files_lose_their_line_break() -> None:
    """A token or password read from a file ends in a newline: it is stripped, and the login works."""
    with FakeGate(users={"alice": PASSWORD}, tokens={TOKEN}) as fake:
        for auth in (
            BearerToken(TOKEN + "\n"),
            BasicAuth("alice", PASSWORD + "\r\n"),
            LdapLogin("alice", PASSWORD + "\n"),
        ):
            with GateClient(fake.url, auth=auth, retry=FAST_RETRY) as gate:
                assert gate.list_pipeline_configs(APP) == []
        with GateClient(fake.url, headers={"X-Spinnaker-Token": f" {TOKEN}\n"}, retry=FAST_RETRY) as gate:
            assert gate.list_pipeline_configs(APP) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: BearerToken(f"{TOKEN}\nX-Injected: 1"),
        lambda: BearerToken(f"{TOKEN[:4]} {TOKEN[4:]}"),
        lambda: SessionCookie(f"{COOKIE}\r\n"[:-1] + "\x00"),
        lambda: BasicAuth("alice", f"{PASSWORD}\nmore"),
        lambda: GateClient("http://127.0.0.1:9", headers={"X-Proxy-Key": f"{TOKEN}\r\nHost: evil"}),
        lambda: GateClient("http://127.0.0.1:9", headers={"X-Proxy-Key": f"{TOKEN}\u2028x"}),
    ],
    ids=[
        "token-with-line-break",
        "token-with-space",
        "cookie-with-nul",
        "password-with-line-break",
        "header-crlf",
        "header-u2028",
    ],
)
def test_a_credential_that_cannot_be_sent_is_refused_when_built_without_showing_it(build: Any) -> None:
    with pytest.raises(ValueError, match="check where it was read from") as caught:
        build()

    shown = "\n".join(str(error) + repr(error) for error in exception_chain(caught.value))
    assert secrets_in(shown) == []
    assert "check where it was read from" in str(caught.value)


@pytest.mark.parametrize(
    "auth",
    [BasicAuth("alice", PASSWORD), BearerToken(TOKEN), SessionCookie(COOKIE), LdapLogin("alice", PASSWORD)],
    ids=["basic", "bearer", "cookie", "ldap"],
)
def test_transport_errors_chain_nothing_that_holds_the_authorization_header(auth: GateAuth) -> None:
    """requests' exceptions keep the prepared request (its Authorization header): they are not chained."""
    with FakeGate() as fake:
        url = fake.url  # nothing listens there once the fake has stopped
    with GateClient(url, auth=auth, headers={"X-Proxy-Key": TOKEN}, retry=RetryPolicy(attempts=1)) as gate:
        with pytest.raises(GateConnectionError) as caught:
            gate.list_pipeline_configs(APP)

    chain = exception_chain(caught.value)
    assert chain == [caught.value]
    assert secrets_in(str(caught.value) + repr(caught.value.request)) == []
    requests_objects = [
        value
        for frame, _ in traceback.walk_tb(caught.value.__traceback__)
        for value in frame.f_locals.values()
        if type(value).__module__.startswith(("requests", "urllib3", "http.client"))
    ]
    assert requests_objects == []


def test_plan_diffs_mask_every_value_that_looks_secret() -> None:
    secret_keys = ["apiKey", "api-key", "x_api_key", "Authorization", "authToken", "password", "passphrase",
                   "privateKey", "cookie", "credentials", "clientSecret", "accessKey"]  # fmt: skip
    before = {key: f"old-{index}-hidden" for index, key in enumerate(secret_keys)}
    after = {key: f"new-{index}-hidden" for index, key in enumerate(secret_keys)}
    old = pipeline_doc("Deploy", stages=[{"refId": "1", "type": "webhook", "customHeaders": before}])
    new = pipeline_doc(
        "Deploy",
        stages=[
            {"refId": "1", "type": "webhook", "customHeaders": after, "url": "https://bot:hunter2@hooks.example.com/x"}
        ],
    )

    with FakeGate() as fake, GateClient(fake.url, retry=FAST_RETRY) as gate:
        fake.store(old)
        text = str(gate.plan([new], allow_invalid=True))  # the webhook stage lacks its method

    assert "hidden" not in text and "hunter2" not in text
    assert text.count("<sensitive>") >= 2 * len(secret_keys)
    assert "hooks.example.com/x" in text  # the rest of the URL is still shown
