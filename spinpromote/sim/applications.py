"""front50's applications: the upsert orca's application tasks perform, and the record Gate answers with.

Rules and sources (front50 ceda49e0 unless named; research Q4):
A1 ``createApplication`` and ``updateApplication`` both run orca's ``UpsertApplicationTask`` (orca-applications
``tasks/UpsertApplicationTask.groovy:64-97``): PATCH when the application exists, else POST;
A2 a missing name fails the task ("Missing one or more required task parameters (application.name)",
orca-front50 ``tasks/AbstractFront50Task.groovy:55-82``);
A3 an update merges: attributes not sent keep their stored value, none can be removed
(front50-core ``model/application/ApplicationService.java:86-143``);
A4 a blank email is refused ("Application must have a non-empty email", ``validator/HasEmailValidator.java``);
A5 the name is returned upper-cased and trimmed, ``cloudProviders`` as a comma-joined string, ``createTs`` and
``updateTs`` as epoch-ms strings, with ``lastModifiedBy`` (``model/application/Application.java:17-104``);
A6 ``permissions`` are written by the same task, only when given, or empty on create (orca
``UpsertApplicationTask.groovy``; ``model/Application.groovy:44-98``); an update without them keeps them;
A7 Gate's ``GET /applications/{app}`` answers ``{name, attributes, clusters}``, ``permissions`` among the
attributes only when restricted (front50 ``ApplicationsController.java:180-197``; gate
``ApplicationService.groovy:124-145,238-280``), 404 "Application not found (id: X)" when absent
(gate ``ApplicationController.groovy:88-99``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from spinpromote.sim.errors import SpinnakerAnswer

__all__ = ["Applications"]

Json = dict[str, Any]


class Applications:
    """front50's application records, keyed by upper-cased name.

    ```pycon
    >>> apps = Applications(now=lambda: 1000)
    >>> _ = apps.upsert({"name": "demo", "email": "team@example.com", "cloudProviders": ["kubernetes"]})
    >>> apps.gate_view("Demo")["attributes"]["name"], apps.gate_view("demo")["attributes"]["cloudProviders"]
    ('DEMO', 'kubernetes')

    ```
    """

    def __init__(self, *, now: Callable[[], int]) -> None:
        self._now = now
        self._records: dict[str, Json] = {}
        self._permissions: dict[str, Json] = {}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().upper() in self._records

    def upsert(self, application: Mapping[str, Any], *, user: str = "anonymous") -> Json:
        """Create or update (A1) an application from the ``application`` of a create/update job; return the
        stored record. Raises `SpinnakerAnswer` (400) with front50's or orca's message when refused."""
        name = application.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpinnakerAnswer(400, "Missing one or more required task parameters (application.name)")  # A2
        key = name.strip().upper()
        given = {k: copy.deepcopy(v) for k, v in application.items() if k != "permissions" and v is not None}
        if isinstance(given.get("cloudProviders"), (list, tuple)):
            given["cloudProviders"] = ",".join(str(p) for p in given["cloudProviders"])  # A5
        stored = self._records.get(key)
        record: Json = {**(stored or {}), **given}  # A3: a merge, never a removal
        if not str(record.get("email") or "").strip():
            raise SpinnakerAnswer(400, "Application must have a non-empty email")  # A4
        permissions = application.get("permissions")
        if isinstance(permissions, Mapping) and any(
            not isinstance(roles, (list, tuple, type(None))) for roles in permissions.values()
        ):
            # front50 binds each entry to a list of roles, so Jackson refuses a single string (the wording is
            # the simulator's)
            raise SpinnakerAnswer(400, "Application permissions must map READ, WRITE and EXECUTE to lists of roles")
        now = str(self._now())
        record.update(name=key, updateTs=now, lastModifiedBy=user)
        record.setdefault("createTs", now)
        self._records[key] = record
        if isinstance(permissions, Mapping):
            self._permissions[key] = {k: list(v or []) for k, v in permissions.items()}  # A6
        elif stored is None:
            self._permissions[key] = {}
        return copy.deepcopy(record)

    def get(self, name: str) -> Json | None:
        """front50's record (``GET /v2/applications/{name}``): ``permissions`` only when restricted (A7)."""
        record = self._records.get(name.strip().upper())
        if record is None:
            return None
        answer = copy.deepcopy(record)
        permissions = self._permissions.get(record["name"]) or {}
        if any(permissions.values()):  # restricted: returned exactly as stored
            answer["permissions"] = copy.deepcopy(permissions)
        return answer

    def gate_view(self, name: str) -> Json:
        """Gate's ``GET /applications/{app}`` answer; raises `SpinnakerAnswer` 404 when absent (A7)."""
        record = self.get(name)
        if record is None:
            raise SpinnakerAnswer(404, f"Application not found (id: {name})")
        return {"name": name, "attributes": record, "clusters": {}}
