"""FakeGate answers like Gate: front50's save rules, Gate's lookups, auth, and reproducible faults."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

from spinpromote.testing import FakeGate, Faults
from tests.gate.conftest import pipeline_doc


def save(fake: FakeGate, document: object, **params: str) -> requests.Response:
    return requests.post(f"{fake.url}/pipelines", json=document, params=params, timeout=5)


def test_a_save_without_name_or_application_is_a_400(fake: FakeGate) -> None:
    for document in ({"application": "demo"}, {"name": "x"}, {"application": " ", "name": "x"}):
        response = save(fake, document)

        assert response.status_code == 400
        assert response.json()["message"] == "A pipeline requires name and application fields"
    assert fake.pipelines() == []


def test_a_name_taken_ignoring_case_by_another_id_or_no_id_is_refused(fake: FakeGate) -> None:
    fake.store(pipeline_doc("Deploy"))

    other_id = save(fake, {**pipeline_doc("deploy "), "id": "another-id"})
    no_id = save(fake, {k: v for k, v in pipeline_doc("DEPLOY").items() if k != "id"})

    for response in (other_id, no_id):
        assert response.status_code == 400
        assert "already exists in application demo" in response.json()["message"]
    assert [p["name"] for p in fake.pipelines()] == ["Deploy"]


def test_a_save_without_id_gets_a_random_uuid_and_a_save_is_a_full_replace(fake: FakeGate) -> None:
    document = {k: v for k, v in pipeline_doc("Deploy", description="old").items() if k != "id"}
    assert save(fake, document).status_code == 200
    stored = fake.pipeline("demo", "Deploy")
    assert stored is not None
    uuid.UUID(stored["id"])  # raises unless front50-style random UUID

    replacement = {"application": "demo", "name": "Deploy", "id": stored["id"], "stages": []}
    assert save(fake, replacement).status_code == 200

    after = fake.pipeline("demo", "Deploy")
    assert after is not None
    assert "description" not in after and "triggers" not in after
    assert after["lastModifiedBy"] == "anonymous" and int(after["updateTs"]) > int(stored["updateTs"])


def test_nulls_are_dropped_and_names_trimmed(fake: FakeGate) -> None:
    save(fake, {**pipeline_doc("Deploy"), "name": "  Deploy ", "description": None})

    stored = fake.pipeline("demo", "Deploy")
    assert stored is not None
    assert stored["name"] == "Deploy" and "description" not in stored


def test_stale_check_is_inert_by_default_and_compares_update_ts_when_repaired() -> None:
    """Released front50 never compares updateTs (PipelineController.java:534-538, the field is not read from
    JSON); a front50 with spinnaker/spinnaker #8022 enabled refuses a stale save."""
    for stale_check, expected in ((None, 200), (True, 400)):
        with FakeGate(stale_check=stale_check) as fake:
            stored = fake.store(pipeline_doc("Deploy"))
            fake.edit("demo", "Deploy", lambda doc: doc.update(description="edited in Deck"))

            stale = save(fake, {**stored, "description": "mine"}, staleCheck="true")
            unchecked = save(fake, {**stored, "description": "mine"})

            assert stale.status_code == expected
            assert unchecked.status_code == 200
            if expected == 400:
                assert "is stale" in stale.json()["message"]


def test_lookups_list_get_and_delete(fake: FakeGate) -> None:
    fake.store(pipeline_doc("Deploy B"))
    fake.store(pipeline_doc("Deploy A"))
    fake.store(pipeline_doc("Other", application="elsewhere"))

    listed = requests.get(f"{fake.url}/applications/DEMO/pipelineConfigs", timeout=5).json()
    filtered = requests.get(
        f"{fake.url}/applications/demo/pipelineConfigs", params={"pipelineNameFilter": "a"}, timeout=5
    ).json()
    exact = requests.get(f"{fake.url}/applications/demo/pipelineConfigs/Deploy%20A", timeout=5)
    wrong_case = requests.get(f"{fake.url}/applications/demo/pipelineConfigs/deploy%20a", timeout=5)

    assert [(p["name"], p["index"]) for p in listed] == [("Deploy A", 0), ("Deploy B", 1)]
    assert [p["name"] for p in filtered] == ["Deploy A"]
    assert exact.status_code == 200 and exact.json()["name"] == "Deploy A"
    assert wrong_case.status_code == 404 and "not found" in wrong_case.json()["message"]

    for _ in range(2):  # the second delete finds nothing and is still a 200, as in Gate
        assert requests.delete(f"{fake.url}/pipelines/demo/deploy%20a", timeout=5).status_code == 200
    assert [p["name"] for p in fake.pipelines()] == ["Deploy B", "Other"]


def test_unauthenticated_requests_are_redirected_to_login() -> None:
    with FakeGate(users={"alice": "secret"}) as fake:
        anonymous = requests.get(f"{fake.url}/applications/demo/pipelineConfigs", allow_redirects=False, timeout=5)
        alice = requests.get(f"{fake.url}/applications/demo/pipelineConfigs", auth=("alice", "secret"), timeout=5)

    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith("/login")
    assert alice.status_code == 200


def fault_pattern(seed: int) -> list[str | None]:
    with FakeGate(faults=Faults(rate=0.5, kinds=(502, 503, 429)), seed=seed) as fake:
        for _ in range(30):
            requests.get(f"{fake.url}/applications/demo/pipelineConfigs", timeout=5)
        return [request.fault for request in fake.requests]


def test_faults_come_from_a_seeded_generator() -> None:
    first, again, other = fault_pattern(3), fault_pattern(3), fault_pattern(4)

    assert first == again
    assert first != other
    assert {"502", "503", "429"} <= set(filter(None, first))


def test_a_dropped_connection_gets_no_answer(fake: FakeGate) -> None:
    fake.fail_next("drop", method="GET")

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.url}/applications/demo/pipelineConfigs", timeout=5)
    assert fake.requests[0].status is None and fake.requests[0].fault == "drop"


def test_the_testing_module_does_not_need_requests() -> None:
    code = "import sys, spinpromote, spinpromote.testing; sys.exit('requests' in sys.modules)"

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_stop_closes_kept_alive_connections_and_refuses_new_requests() -> None:
    """A stopped FakeGate is a Gate that went away: a session's kept-alive connection is not served any more,
    and no handler thread outlives stop()."""
    fake = FakeGate().start()
    url = fake.url
    with requests.Session() as session:
        assert session.get(f"{url}/applications/demo/pipelineConfigs", timeout=5).status_code == 200
        handlers = [t for t in threading.enumerate() if "process_request_thread" in t.name]  # the connection's
        assert handlers

        started = time.monotonic()
        fake.stop()

        assert time.monotonic() - started < 2
        assert not any(t.is_alive() for t in handlers)
        with pytest.raises(requests.ConnectionError):
            session.get(f"{url}/applications/demo/pipelineConfigs", timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/applications/demo/pipelineConfigs", timeout=5)


def test_malformed_requests_are_answered_and_recorded() -> None:
    """A body or header the handler cannot read gets an answer (never a dropped connection) and is recorded."""
    with FakeGate(users={"alice": "pw"}) as fake:
        login = requests.post(
            f"{fake.url}/login",
            data=b"username=alice&password=\xff\xfe",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            timeout=5,
        )
        with socket.create_connection(("127.0.0.1", int(fake.url.rsplit(":", 1)[1])), timeout=5) as raw:
            raw.sendall(b"POST /pipelines HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n")
            reply = raw.recv(4096)

        assert login.status_code == 302 and login.headers["Location"].endswith("/login?error")
        assert reply.startswith(b"HTTP/1.1 400") and b"Invalid Content-Length" in reply
        assert [(r.method, r.path, r.status) for r in fake.requests] == [
            ("POST", "/login", 302),
            ("POST", "/pipelines", 400),
        ]
