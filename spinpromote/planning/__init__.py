"""Planning without HTTP: normalize live pipeline documents, diff them, and decide what applying would do.

Everything here is a pure function over JSON documents (plain dicts), shared by the Gate client, the
command line and FakeGate. `spinpromote.gate.GateClient.plan` reads the live documents and calls
`make_plan`; you can call it yourself on documents you already have:

```pycon
>>> desired = [{"application": "demo", "name": "Deploy", "id": "p-1", "stages": []}]
>>> print(make_plan(desired, {"demo": []}).summary())
Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged.

```
"""

from __future__ import annotations

from spinpromote.planning._applications import ApplicationChange, plan_application, same_application
from spinpromote.planning._diff import describe_pipeline, diff_pipelines
from spinpromote.planning._normalize import (
    OWNERSHIP_KEY,
    SERVER_OWNED_KEYS,
    authored,
    canonical,
    comparable,
    drop_nulls,
    fingerprint,
    name_key,
    owner_of,
    pipeline_references,
    rewrite_references,
    strip_server_fields,
)
from spinpromote.planning._plan import DEFAULT_OWNER, LOCK, Action, PipelineChange, Plan, make_plan
from spinpromote.planning._saved import PLAN_FORMAT, is_saved_plan
from spinpromote.planning._warnings import leftover_warning, trigger_collisions, trigger_key

__all__ = [
    "DEFAULT_OWNER",
    "LOCK",
    "OWNERSHIP_KEY",
    "PLAN_FORMAT",
    "SERVER_OWNED_KEYS",
    "Action",
    "ApplicationChange",
    "PipelineChange",
    "Plan",
    "authored",
    "canonical",
    "comparable",
    "describe_pipeline",
    "diff_pipelines",
    "drop_nulls",
    "fingerprint",
    "is_saved_plan",
    "leftover_warning",
    "make_plan",
    "name_key",
    "owner_of",
    "pipeline_references",
    "plan_application",
    "rewrite_references",
    "same_application",
    "strip_server_fields",
    "trigger_collisions",
    "trigger_key",
]

# Show the public module in reprs and docs (spinpromote.planning.Plan, not spinpromote.planning._plan.Plan).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(f"{__name__}._"):
        _obj.__module__ = __name__
del _name, _obj
