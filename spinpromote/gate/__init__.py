"""Talk to Spinnaker's Gate: plan, apply and prune pipelines safely; run them, wait, and judge.

```python
from spinpromote.gate import BasicAuth, GateClient

with GateClient("https://gate.example.com", auth=BasicAuth("alice", "secret")) as gate:
    plan = gate.plan(chain)     # a PromotionChain, a Pipeline, or a list of Pipelines
    print(plan)                 # stage-level diff against what is live
    result = gate.apply(plan)   # writes only what changed, upstream first
```

This is the only part of spinpromote that imports ``requests``. Errors all derive from
`spinpromote.errors.GateError`:

```
GateError
├── GateHTTPError          Gate answered with an error status (``status``, ``gate_message``)
│   ├── GateConflictError  the name is taken by a pipeline with another id
│   └── GateStaleError     the pipeline changed since it was read
├── GateAuthError          not logged in, or not allowed
├── GateTimeout            no answer in time
├── GateConnectionError    Gate could not be reached
└── ApplyError             some changes of a plan failed (``result`` has the report)
```
"""

from __future__ import annotations

from spinpromote.errors import (
    GateAuthError,
    GateConflictError,
    GateConnectionError,
    GateError,
    GateHTTPError,
    GateStaleError,
    GateTimeout,
)
from spinpromote.gate._apply import ApplyError, ApplyEvent, ApplyResult, ChangeOutcome
from spinpromote.gate._auth import BasicAuth, BearerToken, GateAuth, LdapLogin, SessionCookie, X509ClientCert
from spinpromote.gate._client import Desired, GateClient
from spinpromote.gate._exchange import RequestInfo, ResponseInfo
from spinpromote.gate._executions import Execution, ExecutionStage
from spinpromote.gate._retry import RetryPolicy
from spinpromote.gate._transport import Timeout
from spinpromote.planning import DEFAULT_OWNER, OWNERSHIP_KEY, PipelineChange, Plan

__all__ = [
    "DEFAULT_OWNER",
    "OWNERSHIP_KEY",
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
    "GateStaleError",
    "GateTimeout",
    "LdapLogin",
    "PipelineChange",
    "Plan",
    "RequestInfo",
    "ResponseInfo",
    "RetryPolicy",
    "SessionCookie",
    "Timeout",
    "X509ClientCert",
]

# Show the public module in reprs and docs (spinpromote.gate.Plan, not spinpromote.gate._plan.Plan).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("spinpromote.gate._"):
        _obj.__module__ = __name__
del _name, _obj
