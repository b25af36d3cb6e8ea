"""front50's save rules (front50-web/.../controllers/PipelineController.java; DefaultPipelineDAO.java)."""

from __future__ import annotations

import pytest

from spinpromote.sim import Spinnaker, SpinnakerAnswer
from tests.sim._build import pipeline


def test_name_and_application_are_required() -> None:
    """F2: blank name or application -> 'A pipeline requires name and application fields' (:484-486), 400 via Gate."""
    spin = Spinnaker()
    for document in ({"application": "demo", "name": "  "}, {"name": "x"}, {"application": "", "name": "x"}):
        with pytest.raises(SpinnakerAnswer) as caught:
            spin.save(document)
        assert (caught.value.status, caught.value.message) == (400, "A pipeline requires name and application fields")


def test_duplicate_names_compare_trimmed_and_ignoring_case() -> None:
    """F6: same application and name (trimmed, any case) with another id -> 400 (:577-591)."""
    spin = Spinnaker()
    spin.save(pipeline("Deploy"))
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.save({**pipeline(" deploy "), "id": "other"})
    assert caught.value.message == "A pipeline with name deploy already exists in application demo"
    with pytest.raises(SpinnakerAnswer):
        spin.save({**pipeline("DEPLOY"), "id": None})  # a null id always counts as different
    assert spin.save({**pipeline("Deploy"), "application": "other-app"})[0]["name"] == "Deploy"


def test_ids_are_kept_or_generated_and_saves_upsert() -> None:
    """F7: a client id is used verbatim (a whole-document upsert); a missing one is generated (DefaultPipelineDAO)."""
    spin = Spinnaker()
    (kept,) = spin.save(pipeline("A"))
    (replaced,) = spin.save({**pipeline("A renamed"), "id": "id-A"})
    (generated,) = spin.save({"application": "demo", "name": "B"})

    assert kept["id"] == replaced["id"] == "id-A"
    assert [p["name"] for p in spin.pipelines("demo")] == ["A renamed", "B"]
    assert generated["id"] and generated["id"] != "id-A"
    assert Spinnaker().save({"application": "demo", "name": "B"})[0]["id"] == generated["id"]  # deterministic


def test_name_is_trimmed_and_cron_ids_filled_in() -> None:
    """F3 trims the name (:487); F4 gives cron triggers without id one, all new ones when the pipeline has no id."""
    spin = Spinnaker()
    cron = {"type": "cron", "enabled": True, "cronExpression": "0 0 10 ? * MON-FRI"}
    (with_id,) = spin.save({**pipeline(" Nightly "), "triggers": [cron, {**cron, "id": "mine"}]})
    (without_id,) = spin.save({"application": "demo", "name": "Other", "triggers": [{**cron, "id": "mine"}]})

    assert with_id["name"] == "Nightly"
    assert with_id["triggers"][0]["id"] and with_id["triggers"][1]["id"] == "mine"
    assert without_id["triggers"][0]["id"] != "mine"


def test_stale_check_is_inert_by_default() -> None:
    """F5: released front50 never compares (getLastModified() is never set from JSON: PipelineMixins.java:85)."""
    spin = Spinnaker()
    spin.save(pipeline("A"))
    stale = {**pipeline("A"), "updateTs": "1"}

    assert spin.save_pipeline(stale, stale_check=True)["updateTs"] != "1"


def test_stale_check_enforced_when_the_operator_opts_in() -> None:
    """F5 with spinnaker/spinnaker #8022 and controller.pipeline.save.stale-check-enabled: updateTs must match."""
    spin = Spinnaker(stale_check=True)
    (stored,) = spin.save(pipeline("A"))
    spin.advance(1)
    with pytest.raises(SpinnakerAnswer) as caught:
        spin.save_pipeline({**pipeline("A"), "updateTs": "1"}, stale_check=True)
    assert caught.value.message == (
        f"The submitted pipeline is stale.  submitted updateTs 1 does not match stored updateTs {stored['updateTs']}"
    )
    assert spin.save_pipeline({**pipeline("A"), "updateTs": stored["updateTs"]}, stale_check=True)
    assert spin.save_pipeline({**pipeline("A"), "updateTs": "1"}, stale_check=False)


def test_get_by_exact_name_then_id_and_delete_ignoring_case() -> None:
    """Gate re-checks names case-sensitively, then tries the id; delete matches ignoring case and a miss is a no-op
    (gate PipelineController.groovy:76-107)."""
    spin = Spinnaker()
    spin.save(pipeline("Deploy"))

    assert spin.pipeline("demo", "Deploy") is not None and spin.pipeline("demo", "deploy") is None
    assert spin.pipeline("demo", "id-Deploy") is not None
    assert spin.delete("demo", "nothing") is False
    assert spin.delete("demo", "DEPLOY") is True and spin.pipelines("demo") == []
