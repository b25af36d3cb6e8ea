"""Talk to Spinnaker's Gate: plan, apply and prune pipelines safely; run them, wait, and judge.

Just before each write, apply re-reads the pipeline and refuses to overwrite one that changed since the
plan (`GateStaleError`); see docs/gate.md for what is checked and the window that remains.

```pycon
>>> from spinpromote.testing import FakeGate
>>> pipelines = [Pipeline(application="demo", name="Deploy", stages=[Wait(name="Soak", wait_time=30)])]
>>> with FakeGate() as fake, GateClient(fake.url) as gate:  # your Gate's URL, and auth=BasicAuth(...), ...
...     plan = gate.plan(pipelines)  # a PromotionChain, a Pipeline, or a list of them
...     print(plan.summary())        # print(plan) shows the stage-level diff against what is live
...     result = gate.apply(plan)    # writes only what changed, upstream first
...     print(result.ok)
Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged.
True

```

This is the only part of spinpromote that imports ``requests``. Its errors are those of `spinpromote.errors`
(re-exported here), from `GateError` down; `ApplyError` and `WaitDeadlineExceeded` report on a whole apply
or wait.
"""

from __future__ import annotations

from spinpromote.errors import (
    ApplyError,
    GateAuthError,
    GateConflictError,
    GateConnectionError,
    GateError,
    GateHTTPError,
    GateResponseError,
    GateStaleError,
    GateTimeout,
    GateTransportError,
    WaitDeadlineExceeded,
)
from spinpromote.gate._apply import ApplyEvent, ApplyResult, ChangeOutcome
from spinpromote.gate._auth import BasicAuth, BearerToken, GateAuth, LdapLogin, SessionCookie, X509ClientCert
from spinpromote.gate._client import Desired, GateClient
from spinpromote.gate._exchange import RequestInfo, ResponseInfo
from spinpromote.gate._executions import Execution, ExecutionStage
from spinpromote.gate._retry import RetryPolicy
from spinpromote.gate._transport import Timeout
from spinpromote.planning import DEFAULT_OWNER, LOCK, OWNERSHIP_KEY, ApplicationChange, PipelineChange, Plan

__all__ = [
    "DEFAULT_OWNER",
    "LOCK",
    "OWNERSHIP_KEY",
    "ApplicationChange",
    "ApplyError",
    "ApplyEvent",
    "ApplyResult",
    "BasicAuth",
    "BearerToken",
    "ChangeOutcome",
    "Desired",
    "Execution",
    "ExecutionStage",
    "GateAuth",
    "GateAuthError",
    "GateClient",
    "GateConflictError",
    "GateConnectionError",
    "GateError",
    "GateHTTPError",
    "GateResponseError",
    "GateStaleError",
    "GateTimeout",
    "GateTransportError",
    "LdapLogin",
    "PipelineChange",
    "Plan",
    "RequestInfo",
    "ResponseInfo",
    "RetryPolicy",
    "SessionCookie",
    "Timeout",
    "WaitDeadlineExceeded",
    "X509ClientCert",
]

# Show the public module in reprs and docs (spinpromote.gate.Plan, not spinpromote.gate._plan.Plan).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("spinpromote.gate._"):
        _obj.__module__ = __name__
del _name, _obj
