"""The Spinnaker behind FakeGate: front50's storage and save rules, Gate's lookups, orca's executions.

`Spinnaker` answers routed requests with `Answer` objects and knows nothing of HTTP, auth or faults. Its
rules follow released Spinnaker with default settings (docs/gate.md lists them):
every failed save is a 400 with kork's error body; a missing name or application is refused; a name taken
(ignoring case) by another id, or by a save without an id, is refused with "already exists"; a save without
an id gets a random UUID; a save is a full replace; ``staleCheck`` compares ``updateTs``.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

import attrs

from spinpromote.planning import SERVER_OWNED_KEYS, drop_nulls
from spinpromote.testing._http import Answer, error_answer

__all__ = ["SaveRefused", "Spinnaker"]

_JUDGMENT_STATUSES = ("continue", "stop")


@attrs.define
class _Stored:
    doc: dict[str, Any]
    previous: dict[str, Any] | None
    visible_at: float


class SaveRefused(Exception):
    """front50 (through orca's save task) refused a save; ``message`` is what Gate answers with."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Spinnaker:
    """Pipeline configs and executions, with the rules of Gate, orca and front50. Thread-safe."""

    def __init__(
        self,
        *,
        applications: Iterable[str] | None,
        read_lag: float,
        stage_seconds: float,
        lock: threading.RLock,
    ) -> None:
        self.read_lag = read_lag
        self.stage_seconds = stage_seconds
        self._applications = None if applications is None else {app.lower() for app in applications}
        self._lock = lock
        self._store: dict[str, _Stored] = {}
        self._executions: dict[str, dict[str, Any]] = {}
        self._stage_started: dict[str, float] = {}
        self._clock_ms = 0

    # -- inspection and set-up -------------------------------------------------------------------------------

    def pipelines(self, application: str | None = None) -> list[dict[str, Any]]:
        """Copies of the stored pipeline configs (all, or of one application), newest state, sorted by name."""
        with self._lock:
            docs = [
                copy.deepcopy(stored.doc)
                for stored in self._store.values()
                if application is None or stored.doc["application"].lower() == application.lower()
            ]
        return sorted(docs, key=lambda doc: (doc["application"].lower(), doc["name"].lower()))

    def pipeline(self, application: str, name: str) -> dict[str, Any] | None:
        """A copy of the stored pipeline with this name (ignoring case), or None."""
        wanted = name.strip().lower()
        return next((doc for doc in self.pipelines(application) if doc["name"].lower() == wanted), None)

    def store(self, document: Mapping[str, Any], *, user: str = "deck-user") -> dict[str, Any]:
        """Save a pipeline as a Deck user would (the rules of ``POST /pipelines``); return a copy of it."""
        with self._lock:
            return copy.deepcopy(self._save(copy.deepcopy(dict(document)), stale_check=False, user=user))

    def add_application(self, name: str) -> None:
        """Make an application exist (when the fake was given a fixed list of applications)."""
        with self._lock:
            if self._applications is not None:
                self._applications.add(name.lower())

    @property
    def executions(self) -> dict[str, dict[str, Any]]:
        """Copies of the executions started so far, by id."""
        with self._lock:
            return copy.deepcopy(self._executions)

    # -- routes ---------------------------------------------------------------------------------------------

    def route(self, method: str, path: str, query: Mapping[str, str], body: bytes, user: str) -> Answer:
        """Answer one request of an authenticated ``user`` (Gate's controllers, in front of orca and front50)."""
        segments = [unquote(segment) for segment in path.strip("/").split("/")] if path.strip("/") else []
        match (method, segments):
            case ("GET", ["health"]):
                return Answer(200, {"status": "UP"})
            case ("GET", ["applications", application]):
                return self._get_application(application)
            case ("GET", ["applications", application, "pipelineConfigs"]):
                return self._list(application, query.get("pipelineNameFilter"))
            case ("GET", ["applications", application, "pipelineConfigs", name]):
                return self._get_by_name(application, name)
            case ("POST", ["pipelines"]):
                return self._post_pipeline(body, query.get("staleCheck", "false") == "true", user)
            case ("DELETE", ["pipelines", application, name]):
                return self._delete(application, name)
            case ("POST", ["pipelines", application, name_or_id]):
                return self._trigger(application, name_or_id, body, user)
            case ("GET", ["pipelines", execution_id]):
                return self._get_execution(execution_id)
            case ("PATCH", ["pipelines", execution_id, "stages", stage_id]):
                return self._judge(execution_id, stage_id, body, user)
        return error_answer(404, f"No handler found for {method} {path}")

    def _visible(self, stored: _Stored, now: float) -> dict[str, Any] | None:
        return stored.doc if now >= stored.visible_at else stored.previous

    def _visible_docs(self, application: str) -> list[dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            docs = [self._visible(stored, now) for stored in self._store.values()]
        return [
            copy.deepcopy(doc) for doc in docs if doc is not None and doc["application"].lower() == application.lower()
        ]

    def _get_application(self, application: str) -> Answer:
        exists = self._applications is None or application.lower() in self._applications
        if not exists:
            return error_answer(404, f"Application not found (id: {application})")
        return Answer(200, {"name": application, "attributes": {"name": application, "email": "team@example.com"}})

    def _list(self, application: str, name_filter: str | None) -> Answer:
        docs = self._visible_docs(application)
        if name_filter:
            docs = [doc for doc in docs if name_filter.lower() in doc["name"].lower()]
        docs.sort(key=lambda doc: (doc.get("index") is None, doc.get("index") or 0, doc["name"].lower()))
        for index, doc in enumerate(docs):  # front50 renumbers when listing
            doc["index"] = index
        return Answer(200, docs)

    def _get_by_name(self, application: str, name: str) -> Answer:
        for doc in self._visible_docs(application):
            if doc["name"] == name:  # Gate 1.21-2025.2: exact, case-sensitive
                return Answer(200, doc)
        return error_answer(404, f"Pipeline config (id: {name}) not found for Application (id: {application})")

    def _post_pipeline(self, body: bytes, stale_check: bool, user: str) -> Answer:
        try:
            document = json.loads(body or b"null")
        except ValueError:
            return error_answer(400, "Could not read the pipeline JSON")
        if not isinstance(document, dict):
            return error_answer(400, "Pipeline save operation did not succeed: the body is not a pipeline")
        try:
            with self._lock:
                self._save(document, stale_check=stale_check, user=user)
        except SaveRefused as exc:
            return error_answer(400, exc.message)  # Gate turns every failed save task into a 400
        return Answer(200, None)

    def _save(self, document: dict[str, Any], *, stale_check: bool, user: str) -> dict[str, Any]:
        """front50's PipelineController.save, with orca's savePipeline task around it. Hold the lock."""
        document = drop_nulls(document)  # orca serializes to front50 without nulls
        application, name = document.get("application"), document.get("name")
        if not isinstance(application, str) or not application.strip() or not isinstance(name, str) or not name.strip():
            raise SaveRefused("A pipeline requires name and application fields")
        document["name"] = name = name.strip()
        pipeline_id = document.get("id") or None
        existing = self._store.get(pipeline_id) if pipeline_id else None

        for trigger in document.get("triggers") or []:
            if isinstance(trigger, dict) and str(trigger.get("type", "")).lower() == "cron":
                if not trigger.get("id") or not pipeline_id:
                    trigger["id"] = str(uuid.uuid4())

        submitted = document.get("updateTs")
        if stale_check and existing is not None and submitted is not None:
            stored = existing.doc["updateTs"]
            if str(submitted) != stored:
                raise SaveRefused(
                    f"The submitted pipeline is stale.  submitted updateTs {submitted} does not match stored "
                    f"updateTs {stored}"
                )

        for stored_entry in self._store.values():
            other = stored_entry.doc
            same_app = other["application"].lower() == application.lower()
            if same_app and other["name"].lower() == name.lower() and other["id"] != pipeline_id:
                raise SaveRefused(f"A pipeline with name {name} already exists in application {application}")

        if pipeline_id is None:
            pipeline_id = str(uuid.uuid4())
        if "index" not in document and existing is not None and "index" in existing.doc:
            document["index"] = existing.doc["index"]  # orca's SavePipelineTask keeps the stored index
        for key in SERVER_OWNED_KEYS:
            document.pop(key, None)
        self._clock_ms = max(int(time.time() * 1000), self._clock_ms + 1)
        document.update(id=pipeline_id, lastModifiedBy=user, updateTs=str(self._clock_ms))
        document.setdefault("schema", "1")
        now = time.monotonic()
        previous = None
        if existing is not None:
            previous = existing.doc if now >= existing.visible_at else existing.previous
        self._store[pipeline_id] = _Stored(doc=document, previous=previous, visible_at=now + self.read_lag)
        return document

    def _delete(self, application: str, name: str) -> Answer:
        with self._lock:
            for pipeline_id, stored in list(self._store.items()):
                doc = stored.doc
                if doc["application"].lower() == application.lower() and doc["name"].lower() == name.strip().lower():
                    del self._store[pipeline_id]
                    break  # Gate deletes the first match; none is fine too
        return Answer(200, None)

    # -- executions -------------------------------------------------------------------------------------------

    def _find_config(self, application: str, name_or_id: str) -> dict[str, Any] | None:
        docs = self._visible_docs(application)
        return next((d for d in docs if d["name"] == name_or_id), None) or next(
            (d for d in docs if d["id"] == name_or_id), None
        )

    def _trigger(self, application: str, name_or_id: str, body: bytes, user: str) -> Answer:
        config = self._find_config(application, name_or_id)
        prefix = f"Unable to trigger pipeline (application: {application}, pipelineNameOrId: {name_or_id}). Error: "
        if config is None:
            return error_answer(404, prefix + "pipeline not found")
        if config.get("disabled"):
            return error_answer(400, prefix + "Pipeline is disabled and cannot be started.")
        trigger = json.loads(body) if body else {}
        trigger.setdefault("type", "manual")
        trigger.setdefault("user", user)
        parameters = dict(trigger.get("parameters") or {})
        for parameter in config.get("parameterConfig") or []:
            if parameter.get("name") not in parameters:
                if parameter.get("required") and parameter.get("default") in (None, ""):
                    return error_answer(400, prefix + f"Required parameter {parameter.get('name')} is missing")
                parameters[parameter.get("name")] = parameter.get("default")
        trigger["parameters"] = parameters
        execution_id = uuid.uuid4().hex.upper()[:26]
        stages = [
            {
                "id": uuid.uuid4().hex,
                "refId": stage.get("refId"),
                "type": stage.get("type"),
                "name": stage.get("name"),
                "status": "NOT_STARTED",
                "context": {k: v for k, v in stage.items() if k not in ("refId", "type", "name")},
            }
            for stage in config.get("stages") or []
        ]
        with self._lock:
            self._executions[execution_id] = {
                "id": execution_id,
                "type": "PIPELINE",
                "application": config["application"],
                "name": config["name"],
                "pipelineConfigId": config["id"],
                "status": "RUNNING",
                "startTime": int(time.time() * 1000),
                "trigger": trigger,
                "stages": stages,
            }
        return Answer(202, {"ref": f"/pipelines/{execution_id}"})

    def _advance(self, execution: dict[str, Any]) -> None:
        """Run stages in order, each for ``stage_seconds``; stop at a Manual Judgment until it is answered."""
        if execution["status"] != "RUNNING":
            return
        now = time.monotonic()
        for stage in execution["stages"]:
            if stage["status"] == "SUCCEEDED":
                continue
            if stage["status"] == "NOT_STARTED":
                stage["status"] = "RUNNING"
                self._stage_started[stage["id"]] = now
            if stage["type"] == "manualJudgment":
                decision = str(stage["context"].get("judgmentStatus") or "").lower()
                if decision == "continue":
                    stage["status"] = "SUCCEEDED"
                    continue
                if decision == "stop":
                    stage["status"] = "TERMINAL"
                    execution["status"] = "TERMINAL"
                return
            if now - self._stage_started[stage["id"]] >= self.stage_seconds:
                stage["status"] = "SUCCEEDED"
                continue
            return
        execution["status"] = "SUCCEEDED"
        execution["endTime"] = int(time.time() * 1000)

    def _get_execution(self, execution_id: str) -> Answer:
        with self._lock:
            execution = self._executions.get(execution_id)
            if execution is None:
                return error_answer(404, f"Pipeline not found (id: {execution_id})")
            self._advance(execution)
            return Answer(200, copy.deepcopy(execution))

    def _judge(self, execution_id: str, stage_id: str, body: bytes, user: str) -> Answer:
        update = json.loads(body) if body else {}
        with self._lock:
            execution = self._executions.get(execution_id)
            if execution is None:
                return error_answer(404, f"Pipeline not found (id: {execution_id})")
            stage = next((s for s in execution["stages"] if s["id"] == stage_id), None)
            if stage is None:
                return error_answer(404, f"Stage not found (id: {stage_id})")
            status = str(update.get("judgmentStatus", "")).lower()
            if stage["type"] != "manualJudgment" or status not in _JUDGMENT_STATUSES:
                return error_answer(400, "judgmentStatus must be continue or stop, on a Manual Judgment stage")
            stage["context"].update(update, lastModifiedBy=user)
            self._advance(execution)
            return Answer(200, copy.deepcopy(execution))
