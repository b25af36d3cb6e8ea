"""The exceptions spinpromote raises, all under one root. This is the only place the tree is written down.

```
SpinpromoteError                    anything spinpromote raises on purpose
├── PipelineFormatError             pipeline JSON that does not fit the model (also a ValueError; .path)
├── ValidationError                 pipelines that break Spinnaker's rules (also a ValueError; .problems)
├── ApplyError                      some changes of a plan failed; .result tells what was written
├── WaitDeadlineExceeded            an execution did not finish before the wait's deadline; .execution
└── GateError                       a call to Gate failed; .request and .response, credentials removed
    ├── GateTransportError          no answer came back
    │   ├── GateTimeout             Gate did not answer in time: a write may or may not have landed
    │   └── GateConnectionError     Gate could not be reached (DNS, refused, TLS, certificate files)
    ├── GateHTTPError               Gate answered with an error status; .status, .gate_message
    │   ├── GateAuthError           a redirect to a login page, 401, 403, or a web page instead of JSON
    │   └── GateConflictError       the name is taken by a pipeline with another id
    ├── GateStaleError              the pipeline changed (or appeared) after the plan read it; .changed_by
    └── GateResponseError           a success status, but not the JSON Gate's API answers with
```

Catch `SpinpromoteError` to handle anything the library raises on purpose, `GateError` for any failed call
to Gate, and `GateTransportError` for the failures worth retrying later. The Gate errors are re-exported by
`spinpromote.gate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spinpromote.gate import ApplyResult, Execution
    from spinpromote.validate import Problem

__all__ = [
    "ApplyError",
    "GateAuthError",
    "GateConflictError",
    "GateConnectionError",
    "GateError",
    "GateHTTPError",
    "GateResponseError",
    "GateStaleError",
    "GateTimeout",
    "GateTransportError",
    "PipelineFormatError",
    "SpinpromoteError",
    "ValidationError",
    "WaitDeadlineExceeded",
]


class SpinpromoteError(Exception):
    """The root of every exception spinpromote raises on purpose: catch it at the top of a script.

    ```pycon
    >>> from spinpromote import Pipeline
    >>> try:
    ...     Pipeline(application="demo", name="p", stages=[Wait(ref_id="1")]).check()
    ... except SpinpromoteError as error:
    ...     print(f"{type(error).__name__}: {error.problems[0].path}")
    ValidationError: $.stages[0].waitTime

    ```
    """


class PipelineFormatError(SpinpromoteError, ValueError):
    """Pipeline JSON whose structure does not fit the model.

    ``path`` is the JSON path of the offending value, such as ``$.stages[2].refId``.

    ```pycon
    >>> from spinpromote import Pipeline
    >>> try:
    ...     Pipeline.from_dict({"application": "demo", "name": 5})
    ... except PipelineFormatError as error:
    ...     print(error)
    expected a string, got a number (5) @ $.name

    ```
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{message} @ {path}")


class ValidationError(SpinpromoteError, ValueError):
    """One or more pipelines break rules Spinnaker would only enforce at run time.

    ``problems`` lists every error found, not only the first.

    ```pycon
    >>> from spinpromote import Pipeline, Wait
    >>> try:
    ...     Pipeline(application="demo", name="p", stages=[Wait(ref_id="1")]).check()
    ... except ValidationError as error:
    ...     print(error.problems[0].path)
    $.stages[0].waitTime

    ```
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = [f"{len(self.problems)} problem(s) found:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class ApplyError(SpinpromoteError):
    """Some changes of a plan failed. ``result`` (an `ApplyResult`) says what was written and what failed.

    What was written stays written: plan and apply again to finish, nothing is done twice.

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     plan = gate.plan([Pipeline(application="demo", name="Deploy")])
    ...     _ = fake.store({"application": "demo", "name": "Deploy", "id": "made-in-deck"})  # a UI user is faster
    ...     try:
    ...         gate.apply(plan)
    ...     except ApplyError as error:
    ...         print([outcome.change.name for outcome in error.result.failed])
    ['Deploy']

    ```
    """

    def __init__(self, result: ApplyResult) -> None:
        self.result = result
        super().__init__(str(result))


class WaitDeadlineExceeded(SpinpromoteError):
    """An execution did not finish (or reach a judgment) before the deadline of a wait.

    Gate answered every poll; the execution is still running. ``execution`` is what the last poll showed
    (None when Gate never showed it).

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     _ = gate.save_pipeline(Pipeline(application="demo", name="Gated", stages=[ManualJudgment(name="OK?")]))
    ...     run_id = gate.trigger("demo", "Gated")
    ...     try:
    ...         gate.wait_for_execution(run_id, timeout=0.05, poll_interval=0.01)
    ...     except WaitDeadlineExceeded as error:
    ...         print(error.execution.status)
    RUNNING

    ```
    """

    def __init__(self, message: str, *, execution_id: str, execution: Execution | None) -> None:
        self.execution_id = execution_id
        self.execution = execution
        super().__init__(message)


class GateError(SpinpromoteError):
    """A call to Gate failed. ``request`` and ``response`` hold the exchange, credentials removed.

    ``request.request_id`` is the ``X-SPINNAKER-REQUEST-ID`` the client sent: search Gate's logs for it.

    ```pycon
    >>> from spinpromote.gate import GateClient, RetryPolicy
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url, retry=RetryPolicy(attempts=1)) as gate:
    ...     fake.fail_next(503)
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateError as error:
    ...         print(error.request.method, error.response.status, bool(error.request.request_id))
    GET 503 True

    ```
    """

    def __init__(self, message: str, *, request: Any = None, response: Any = None) -> None:
        self.request = request
        self.response = response
        super().__init__(message)


class GateTransportError(GateError):
    """No answer came back from Gate: it timed out, or could not be reached. ``response`` is None.

    The client has already retried what was safe to retry; trying again later may work.

    ```pycon
    >>> from spinpromote.gate import GateClient, RetryPolicy
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake:
    ...     url = fake.url  # nothing listens there once the fake has stopped
    >>> with GateClient(url, retry=RetryPolicy(attempts=1)) as gate:
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateTransportError as error:
    ...         print(type(error).__name__, error.response)
    GateConnectionError None

    ```
    """


class GateTimeout(GateTransportError):
    """Gate did not answer in time; the outcome of a write is unknown until it is read back.

    `GateClient.apply` and `GateClient.save_pipeline` read back by themselves; after a timeout of
    `GateClient.trigger` the pipeline may have started.

    ```pycon
    >>> from spinpromote.gate import GateClient, RetryPolicy
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate(latency=0.3) as fake, GateClient(fake.url, timeout=0.05, retry=RetryPolicy(attempts=1)) as gate:
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateTimeout as error:
    ...         print(error.request.url.endswith("/applications/demo/pipelineConfigs"))
    True

    ```
    """


class GateConnectionError(GateTransportError):
    """Gate could not be reached: no such host, connection refused, a TLS failure, unreadable certificate files.

    ```pycon
    >>> from spinpromote.gate import GateClient, X509ClientCert
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url, auth=X509ClientCert("/nonexistent/client.pem")) as gate:
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateConnectionError as error:
    ...         print("could not set up the connection" in str(error))
    True

    ```
    """


class GateHTTPError(GateError):
    """Gate answered with an error status; ``status`` and Gate's own ``gate_message`` are kept.

    Gate answers every refused save with 400; ``gate_message`` says why.

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     try:
    ...         gate.post_pipeline({"application": "demo", "id": "p-1"})
    ...     except GateHTTPError as error:
    ...         print(error.status, error.gate_message)
    400 A pipeline requires name and application fields

    ```
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        gate_message: str | None = None,
        request: Any = None,
        response: Any = None,
    ) -> None:
        self.status = status
        self.gate_message = gate_message
        super().__init__(message, request=request, response=response)


class GateAuthError(GateHTTPError):
    """Gate wants a login or refuses access: a redirect to a login page, 401, 403, or a web page for JSON.

    The message ends with a hint on what to check.

    ```pycon
    >>> from spinpromote.gate import BasicAuth, GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate(users={"alice": "right"}) as fake, GateClient(fake.url, auth=BasicAuth("alice", "wrong")) as gate:
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateAuthError as error:
    ...         print(error.status, "check the HTTP Basic credentials" in str(error))
    302 True

    ```
    """


class GateConflictError(GateHTTPError):
    """The pipeline name is already taken in the application by a pipeline with another id.

    `GateClient.plan` adopts live ids by name, so this means someone created the pipeline after the plan.

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     _ = fake.store({"application": "demo", "name": "Deploy", "id": "made-in-deck"})
    ...     try:
    ...         gate.post_pipeline({"application": "demo", "name": "deploy", "id": "mine"})
    ...     except GateConflictError as error:
    ...         print(error.gate_message)
    A pipeline with name deploy already exists in application demo

    ```
    """


class GateStaleError(GateError):
    """The live pipeline changed, or a pipeline of that name appeared, after the plan read it: nothing was written.

    `GateClient.apply` re-reads each pipeline just before writing it and compares it with what the plan read;
    front50's own ``staleCheck`` refuses too where the operator enabled it. ``changed_by`` and ``changed_at``
    (front50's ``lastModifiedBy`` and ``updateTs``, epoch milliseconds) say who changed it and when, when known.
    Plan again to see the change.

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     read = fake.store({"application": "demo", "name": "Deploy", "id": "p-1"})
    ...     _ = fake.edit("demo", "Deploy", lambda doc: doc.update(description="edited in Deck"))
    ...     try:
    ...         gate.save_pipeline({**read, "disabled": True}, stale_check=True)
    ...     except GateStaleError as error:
    ...         print(error.changed_by, fake.pipeline("demo", "Deploy")["description"])
    deck-user edited in Deck

    ```
    """

    def __init__(
        self,
        message: str,
        *,
        changed_by: str | None = None,
        changed_at: str | None = None,
        request: Any = None,
        response: Any = None,
    ) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(message, request=request, response=response)


class GateResponseError(GateError):
    """Gate answered with a success status but not with what its API answers: not JSON, cut short, or
    JSON of the wrong shape (a list for an object, a number for a string). Often a proxy in between.

    ```pycon
    >>> from spinpromote.gate import GateClient
    >>> from spinpromote.testing import FakeGate
    >>> with FakeGate() as fake, GateClient(fake.url) as gate:
    ...     fake.fail_next("truncated", method="GET")
    ...     try:
    ...         gate.list_pipeline_configs("demo")
    ...     except GateResponseError as error:
    ...         print(error.response.status, "not valid JSON" in str(error))
    200 True

    ```
    """
