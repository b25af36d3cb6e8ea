"""Read-after-write lag: for a while after a save, reads still show what was there before.

Not a Spinnaker rule but a fault of real installations (front50's cache refreshes behind its store, several
Gate replicas), which a client must survive; FakeGate applies it to what its routes read.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from spinpromote.sim import Spinnaker

__all__ = ["ReadLag"]

Json = dict[str, Any]


class ReadLag:
    """Keeps, for ``seconds`` after each save, the version reads showed before it (None: not there yet)."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self._before: dict[str, tuple[Json | None, float]] = {}

    def save(self, spinnaker: Spinnaker, document: Mapping[str, Any], *, stale_check: bool, user: str) -> Json:
        """Save through the simulator's front50 rules; reads keep the old version for ``seconds``."""
        pipeline_id = document.get("id")
        live = spinnaker.front50.by_id(pipeline_id) if isinstance(pipeline_id, str) else None
        before = self.visible_one(None if live is None else dict(live))
        stored = spinnaker.save_pipeline(document, stale_check=stale_check, user=user)
        if self.seconds > 0:
            self._before[stored["id"]] = (before, time.monotonic() + self.seconds)
        return stored

    def visible(self, documents: list[Json]) -> list[Json]:
        """What reads show of ``documents`` now."""
        shown = (self.visible_one(document) for document in documents)
        return [document for document in shown if document is not None]

    def visible_one(self, document: Json | None) -> Json | None:
        """What reads show of one document now (None when it is not visible yet)."""
        if document is None or not self._before:
            return document
        before, until = self._before.get(str(document.get("id")), (document, 0.0))
        if time.monotonic() >= until:
            self._before.pop(str(document.get("id")), None)
            return document
        return before
