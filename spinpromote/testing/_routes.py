"""Gate's routes, mapped onto the simulated Spinnaker: parse the request, call the simulator, write the answer.

No Spinnaker rule lives here (they are in `spinpromote.sim`); this module only knows which Gate endpoint is
which simulator call, and how Gate writes its answers (gate-web controllers, cited per route).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from spinpromote.sim import Spinnaker, SpinnakerAnswer
from spinpromote.testing._http import Answer, error_answer
from spinpromote.testing._lag import ReadLag

__all__ = ["BadRequest", "Routes"]


class BadRequest(Exception):
    """The request body is not what the endpoint reads (Gate answers 400 before any service sees it)."""


def _json_body(body: bytes, what: str) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        raise BadRequest(f"Could not read the {what} JSON") from None


def _object_body(body: bytes, what: str) -> dict[str, Any]:
    value = _json_body(body, what)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"The {what} must be a JSON object")
    return value


def _csv(value: str | None) -> list[str] | None:
    return [part for part in value.split(",") if part] if value else None


def _limit(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"limit must be a number, not {value!r}") from None


class Routes:
    """Gate's endpoints over one `Spinnaker`. The caller holds the lock and has settled the simulator."""

    def __init__(self, spinnaker: Spinnaker, *, read_lag: ReadLag, any_application: Callable[[str], bool]) -> None:
        self.spinnaker = spinnaker
        self.read_lag = read_lag
        self._any_application = any_application

    def answer(self, method: str, path: str, query: Mapping[str, str], body: bytes, user: str) -> Answer:
        """Gate's answer to one request of an authenticated ``user``."""
        segments = [unquote(segment) for segment in path.strip("/").split("/")] if path.strip("/") else []
        try:
            return self._route(method, segments, query, body, user)
        except SpinnakerAnswer as refused:
            return error_answer(refused.status, refused.message)
        except BadRequest as bad:
            return error_answer(400, str(bad))

    def _route(self, method: str, segments: list[str], query: Mapping[str, str], body: bytes, user: str) -> Answer:
        spin = self.spinnaker
        match (method, segments):
            case ("GET", ["health"]):
                return Answer(200, {"status": "UP"})
            case ("GET", ["applications", application]):
                return self._application(application)
            case ("GET", ["applications", application, "pipelineConfigs"]):
                listed = spin.pipelines(application, name_filter=query.get("pipelineNameFilter"))
                return Answer(200, self.read_lag.visible(listed))
            case ("GET", ["applications", application, "pipelineConfigs", name]):
                found = self.read_lag.visible_one(spin.pipeline(application, name))
                if found is None:  # gate ApplicationService.getPipelineConfigForApplication (2025.3+)
                    return error_answer(404, f"Pipeline configuration not found (nameOrId: {name})")
                return Answer(200, found)
            case ("POST", ["pipelines"]):
                return self._save(body, query.get("staleCheck", "false") == "true", user)
            case ("DELETE", ["pipelines", application, name]):
                spin.delete(application, name)
                return Answer(200, None)  # no match is a 200 too (PipelineController.groovy:76-107)
            case ("POST", ["pipelines", application, name_or_id]):
                execution_id = spin.trigger(application, name_or_id, _object_body(body, "trigger"), user=user)
                return Answer(202, {"ref": f"/pipelines/{execution_id}"})
            case ("GET", ["pipelines", execution_id]):
                return Answer(200, spin.execution_json(execution_id))
            case ("PATCH", ["pipelines", execution_id, "stages", stage_id]):
                patched = spin.patch_stage(execution_id, stage_id, _object_body(body, "stage"), user=user)
                return Answer(200, patched)
            case ("POST", ["pipelines", "v2", application, name_or_id]):
                return self._trigger_v2(application, name_or_id, body, user)
            case ("PUT", ["pipelines", execution_id, "cancel"]) | (
                "PUT",
                ["applications", _, "pipelines", execution_id, "cancel"],
            ):
                spin.cancel(execution_id, query.get("reason"), user=user)
                return Answer(200, None)  # Gate's cancel is void (PipelineController.groovy:228-234)
            case ("GET", ["applications", application, "pipelines"]):
                listed = spin.list_executions(
                    application,
                    limit=_limit(query.get("limit"), 10),  # gate.execution.fetch.limit (ApplicationController:47)
                    statuses=_csv(query.get("statuses")),
                    expand=query.get("expand", "false") == "true",
                )
                return Answer(200, listed)
            case ("GET", ["executions"]):
                return self._executions(query)
            case ("POST", ["tasks"]):
                return self._task(_object_body(body, "task"), user)
            case ("POST", ["applications", application, "tasks"]):  # deprecated: forces the application
                return self._task({**_object_body(body, "task"), "application": application}, user)
            case ("GET", ["tasks", task_id]):
                return Answer(200, spin.task_json(task_id))
        return error_answer(404, f"No handler found for {method} /{'/'.join(segments)}")

    def _application(self, application: str) -> Answer:
        if application not in self.spinnaker.applications and self._any_application(application):
            # FakeGate's "any application exists" mode (not Spinnaker's): a record that was never saved
            attributes = {"name": application.upper(), "email": "team@example.com"}
            return Answer(200, {"name": application, "attributes": attributes, "clusters": {}})
        return Answer(200, self.spinnaker.application(application))

    def _task(self, body: dict[str, Any], user: str) -> Answer:
        task_id = self.spinnaker.submit_task(body, user=user)
        return Answer(200, {"ref": f"/tasks/{task_id}"})  # Gate does not wait (TaskController.groovy:46-50)

    def _trigger_v2(self, application: str, name_or_id: str, body: bytes, user: str) -> Answer:
        # Gate v2 hands the trigger to echo with a new eventId and answers 202 {eventId, ref} at once, whatever
        # echo then finds (PipelineService.groovy:118-162; runtime.md 1.4)
        event_id = self.spinnaker.ids.uuid("event")
        trigger = {**_object_body(body, "trigger"), "eventId": event_id}
        execution_id = self.spinnaker.trigger_v2(application, name_or_id, trigger, user=user)
        return Answer(202, {"eventId": event_id, "ref": f"/pipelines/{execution_id}"})

    def _executions(self, query: Mapping[str, str]) -> Answer:
        # gate ExecutionsController.java:40-78: neither id list -> [], both -> orca's 400, limit per config 1
        config_ids, execution_ids = _csv(query.get("pipelineConfigIds")), _csv(query.get("executionIds"))
        statuses = _csv(query.get("statuses"))
        expand = query.get("expand", "true") == "true"
        if config_ids and execution_ids:
            return error_answer(400, "Only pipelineConfigIds OR executionIds can be specified")
        if config_ids:
            limit = _limit(query.get("limit"), 1)
            return Answer(
                200,
                self.spinnaker.executions_of_configs(config_ids, limit=limit, statuses=statuses, expand=expand),
            )
        if execution_ids:
            found = []
            for execution_id in execution_ids:
                try:
                    execution = self.spinnaker.execution_json(execution_id)
                except SpinnakerAnswer:
                    continue
                if statuses is None or execution["status"] in statuses:
                    found.append(execution)
            return Answer(200, found)
        return Answer(200, [])

    def _save(self, body: bytes, stale_check: bool, user: str) -> Answer:
        document = _json_body(body, "pipeline")
        if not isinstance(document, dict):
            return error_answer(400, "Pipeline save operation did not succeed: the body is not a pipeline")
        self.read_lag.save(self.spinnaker, document, stale_check=stale_check, user=user)
        return Answer(200, None)  # Gate answers a finished save task with an empty 200
