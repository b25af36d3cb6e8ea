"""Test helpers: `FakeGate`, a real HTTP server on 127.0.0.1 that behaves like Spinnaker's Gate.

It serves a simulated Spinnaker (`spinpromote.sim.Spinnaker`): saves follow front50's rules, triggers start
simulated executions, judgments apply as orca applies them. It checks credentials when asked to, and injects
faults: chosen statuses, dropped connections, latency and garbage answers, from a seeded random generator so
failures are reproducible.

```pycon
>>> from spinpromote.gate import GateClient, RetryPolicy
>>> pipelines = [Pipeline(application="demo", name=name) for name in ("Deploy to Staging", "Deploy to Production")]
>>> with FakeGate(faults=Faults(rate=0.3), seed=7) as fake:
...     with GateClient(fake.url, retry=RetryPolicy(attempts=10, backoff=0.001)) as gate:
...         _ = gate.apply(gate.plan(pipelines))
...     print([p["name"] for p in fake.pipelines("demo")])
['Deploy to Production', 'Deploy to Staging']

```

The package has four parts: the HTTP server (``_http``), Gate's routes onto the simulator (``_routes``), the
read-after-write lag (``_lag``) and fault injection (``_faults``); `FakeGate` joins them. The rules live in
`spinpromote.sim`. Only the standard library and attrs are used: no ``requests`` needed.
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
