"""Test helpers: `FakeGate`, a real HTTP server on 127.0.0.1 that behaves like Spinnaker's Gate.

It implements what spinpromote's client uses, with the save semantics of Gate, orca and front50
(``docs/gate.md`` lists them), runs executions (stage by stage, pausing at Manual Judgments), checks
credentials when asked to, and injects faults: chosen statuses, dropped connections, latency and garbage
answers, from a seeded random generator so failures are reproducible.

```pycon
>>> from spinpromote.gate import GateClient, RetryPolicy
>>> pipelines = [Pipeline(application="demo", name=name) for name in ("Deploy to Staging", "Deploy to Production")]
>>> with FakeGate(faults=Faults(rate=0.3), seed=7) as fake:
...     with GateClient(fake.url, retry=RetryPolicy(attempts=10, backoff=0.001)) as gate:
...         _ = gate.apply(gate.plan(pipelines))
...     print([p["name"] for p in fake.pipelines("demo")])
['Deploy to Production', 'Deploy to Staging']

```

The package has three parts: the HTTP server (``_http``), the Spinnaker it serves (``_spinnaker``: front50's
storage and save rules, Gate's lookups, executions) and fault injection (``_faults``); `FakeGate` joins
them. Only the standard library, attrs and the planning helpers are used: no ``requests`` needed.
"""

from __future__ import annotations

from spinpromote.testing._fakegate import FakeGate
from spinpromote.testing._faults import FaultKind, Faults, RecordedRequest

__all__ = ["FakeGate", "FaultKind", "Faults", "RecordedRequest"]

# Show the public module in reprs and docs (spinpromote.testing.FakeGate, not spinpromote.testing._fakegate).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(f"{__name__}._"):
        _obj.__module__ = __name__
del _name, _obj
