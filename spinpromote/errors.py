"""The exceptions spinpromote raises, all under one root.

```
SpinpromoteError
├── PipelineFormatError (also ValueError)   malformed pipeline JSON, with the JSON path
├── ValidationError (also ValueError)       a pipeline or chain breaks Spinnaker's rules
└── GateError                               talking to Gate failed (spinpromote.gate)
    ├── GateHTTPError                       Gate answered with an error status
    │   ├── GateConflictError               the name is taken by a pipeline with another id
    │   └── GateStaleError                  the pipeline changed since it was read
    ├── GateAuthError                       not logged in, or not allowed
    ├── GateTimeout                         no answer in time
    ├── GateConnectionError                 Gate could not be reached
    └── spinpromote.gate.ApplyError         some changes of a plan failed (``result`` has the report)
```

Catch `SpinpromoteError` to handle anything the library raises on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spinpromote.validate import Problem

__all__ = [
    "GateAuthError",
    "GateConflictError",
    "GateConnectionError",
    "GateError",
    "GateHTTPError",
    "GateStaleError",
    "GateTimeout",
    "PipelineFormatError",
    "SpinpromoteError",
    "ValidationError",
]


class SpinpromoteError(Exception):
    """The root of every exception spinpromote raises on purpose.

    ```pycon
    >>> issubclass(ValidationError, SpinpromoteError) and issubclass(GateError, SpinpromoteError)
    True

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


class GateError(SpinpromoteError):
    """A call to Gate failed. ``request`` and ``response`` hold the exchange, credentials removed.

    ```pycon
    >>> GateError("Gate did not answer").request is None
    True

    ```
    """

    def __init__(self, message: str, *, request: Any = None, response: Any = None) -> None:
        self.request = request
        self.response = response
        super().__init__(message)


class GateHTTPError(GateError):
    """Gate answered with an error status; ``status`` and Gate's own ``gate_message`` are kept.

    ```pycon
    >>> error = GateHTTPError("save failed", status=400, gate_message="A pipeline requires name")
    >>> error.status, error.gate_message
    (400, 'A pipeline requires name')

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


class GateConflictError(GateHTTPError):
    """The pipeline name is already taken in the application by a pipeline with another id.

    ```pycon
    >>> issubclass(GateConflictError, GateHTTPError)
    True

    ```
    """


class GateStaleError(GateHTTPError):
    """The stored pipeline changed after it was read (front50's ``staleCheck``).

    ```pycon
    >>> issubclass(GateStaleError, GateHTTPError)
    True

    ```
    """


class GateAuthError(GateError):
    """Gate refused the credentials or asked for a login.

    ```pycon
    >>> str(GateAuthError("Gate redirected to /login: log in first"))
    'Gate redirected to /login: log in first'

    ```
    """


class GateTimeout(GateError):
    """Gate did not answer in time; the outcome of a write is unknown until it is read back.

    ```pycon
    >>> issubclass(GateTimeout, GateError)
    True

    ```
    """


class GateConnectionError(GateError):
    """Gate could not be reached.

    ```pycon
    >>> issubclass(GateConnectionError, GateError)
    True

    ```
    """
