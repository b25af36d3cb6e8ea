"""front50's pipeline store and its save rules, over pipeline JSON documents.

Rules and sources (front50 ``front50-web/.../controllers/PipelineController.java`` unless named):
F2 blank name or application rejected (:484-486); F3 name trimmed (:487); F4 cron trigger ids filled in
(:520-529,598-604); F5 staleCheck inert by default (:534-538; ``PipelineMixins.java:85``), the 2026 repair
(spinnaker/spinnaker #8022) behind ``stale_check=True``; F6 duplicate names (:577-591,
``DefaultPipelineDAO.java:83-105``); F7 ids kept or generated (``DefaultPipelineDAO.java:141-152``); F8 nulls
never reach front50 (orca's save task serializes with ``NON_NULL``: ``orca-core/.../jackson/OrcaObjectMapper.java``).

``updateTs`` is the simulated clock's time, in epoch-ms as a string, like front50's wall clock; when the clock
has not moved since the previous save it is one millisecond past it, since no two real saves share a
millisecond (each is a Gate request and an orca task), and the stale check needs saves to differ.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from spinpromote.planning import drop_nulls
from spinpromote.sim.clock import Ids
from spinpromote.sim.errors import SpinnakerAnswer

__all__ = ["Front50"]

Json = dict[str, Any]


class Front50:
    """Stored pipeline configs, keyed by id, in the order they were first saved.

    ```pycon
    >>> from spinpromote.sim.clock import Ids
    >>> store = Front50(Ids(), now=lambda: 1000)
    >>> saved = store.save({"application": "demo", "name": " Deploy ", "stages": []})
    >>> saved["name"], saved["updateTs"]
    ('Deploy', '1000')

    ```
    """

    def __init__(self, ids: Ids, *, now: Callable[[], int], stale_check: bool = False) -> None:
        self._ids = ids
        self._now = now
        self.stale_check = stale_check
        self._pipelines: dict[str, Json] = {}
        self._last_save = 0
        self.revision = 0  # bumped on every write, so indexes built over the store know when to rebuild

    def save(self, document: Mapping[str, Any], *, stale_check: bool = False, user: str = "anonymous") -> Json:
        """Store a pipeline as front50 does; return the stored document or raise `SpinnakerAnswer` (400)."""
        pipeline: Json = drop_nulls(dict(document))  # F8
        name, application = pipeline.get("name"), pipeline.get("application")
        if not isinstance(name, str) or not name.strip() or not isinstance(application, str) or not application.strip():
            # F2: InvalidEntityException, 422 from front50, 400 through Gate's save task (:484-486)
            raise SpinnakerAnswer(400, "A pipeline requires name and application fields")
        pipeline["name"] = name.strip()  # F3 (:487)
        had_id = bool(pipeline.get("id"))
        stored = self._pipelines.get(pipeline["id"]) if had_id else None
        if stored is not None and "index" not in pipeline and "index" in stored:
            pipeline["index"] = stored["index"]  # orca keeps the stored index (SavePipelineTask.java:103-126)
        for trigger in pipeline.get("triggers") or []:
            # F4: a cron trigger without id gets one; a pipeline without id gets all of them new (:520-529,598-604)
            if isinstance(trigger, dict) and trigger.get("type") == "cron" and (not had_id or not trigger.get("id")):
                trigger["id"] = self._ids.uuid("cron", pipeline["name"])
        if stale_check and self.stale_check and stored is not None and pipeline.get("updateTs") is not None:
            # F5: only with the operator's opt-in (controller.pipeline.save.stale-check-enabled, #8022), which
            # compares the submitted updateTs with the stored one; released front50 never gets this far (:534-538)
            submitted, current = str(pipeline["updateTs"]), str(stored.get("updateTs"))
            if submitted != current:
                raise SpinnakerAnswer(
                    400,
                    f"The submitted pipeline is stale.  submitted updateTs {submitted} "
                    f"does not match stored updateTs {current}",
                )
        for other in self._pipelines.values():
            # F6: same application and name, ignoring case, and another id; a null id always differs (:577-591)
            if (
                other["application"].lower() == application.lower()
                and other["name"].strip().lower() == pipeline["name"].lower()
                and (not had_id or other["id"] != pipeline["id"])
            ):
                raise SpinnakerAnswer(
                    400, f"A pipeline with name {pipeline['name']} already exists in application {application}"
                )
        if not had_id:
            pipeline["id"] = self._ids.uuid(
                "pipeline", application, pipeline["name"]
            )  # F7 (DefaultPipelineDAO:141-152)
        self._last_save = max(self._now(), self._last_save + 1)
        pipeline["updateTs"] = str(self._last_save)
        pipeline["lastModifiedBy"] = user
        self._pipelines[pipeline["id"]] = pipeline
        self.revision += 1
        return copy.deepcopy(pipeline)

    def delete(self, application: str, name: str) -> bool:
        """Delete the first config whose trimmed name equals ``name`` ignoring case; False when none (Gate: 200).

        Gate ``PipelineController.groovy:76-107``: no match is answered 200 and nothing is done.
        """
        for pipeline_id, pipeline in self._pipelines.items():
            if (
                pipeline["application"].lower() == application.lower()
                and pipeline["name"].strip().lower() == name.lower()
            ):
                del self._pipelines[pipeline_id]
                self.revision += 1
                return True
        return False

    def list(self, application: str, *, name_filter: str | None = None) -> list[Json]:
        """The application's configs (matched ignoring case), sorted by ``index`` then name, ``index`` renumbered
        0..n, as front50 lists them (gate-api.md, ``GET /applications/{app}/pipelineConfigs``); ``name_filter``
        keeps names that contain it, ignoring case (Gate 1.36+ ``pipelineNameFilter``)."""
        found = [p for p in self._pipelines.values() if p["application"].lower() == application.lower()]
        if name_filter:
            found = [p for p in found if name_filter.lower() in p["name"].lower()]
        found.sort(key=lambda p: (p.get("index") if isinstance(p.get("index"), int) else 1 << 30, p["name"]))
        listed = [copy.deepcopy(p) for p in found]
        for index, pipeline in enumerate(listed):
            pipeline["index"] = index
        return listed

    def get(self, application: str, name: str) -> Json | None:
        """The config named ``name`` exactly (Gate re-checks case-sensitively), else the one with that id."""
        for pipeline in self._pipelines.values():
            if pipeline["application"].lower() == application.lower() and pipeline["name"] == name:
                return copy.deepcopy(pipeline)
        found = self._pipelines.get(name)
        return copy.deepcopy(found) if found is not None else None

    def by_id(self, pipeline_id: str) -> Json | None:
        """The stored document itself (not a copy: the simulator reads it, never changes it)."""
        return self._pipelines.get(pipeline_id)

    def __iter__(self) -> Iterator[Json]:
        return iter(list(self._pipelines.values()))
