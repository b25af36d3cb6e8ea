"""The simulator's errors: what Gate would answer, with its status and message."""

from __future__ import annotations

from spinpromote.errors import SpinpromoteError

__all__ = ["SimulationError", "SpinnakerAnswer"]


class SimulationError(SpinpromoteError):
    """Something the simulator cannot do as asked (an unknown execution, a stage that is not waiting, ...).

    ```pycon
    >>> from spinpromote.sim import Spinnaker
    >>> try:
    ...     Spinnaker().execution_json("01NOPE")
    ... except SimulationError as error:
    ...     print(error)
    Pipeline not found (id: 01NOPE)

    ```
    """


class SpinnakerAnswer(SimulationError):
    """Spinnaker refused a request: ``status`` is the HTTP status Gate answers, ``message`` its wording.

    ```pycon
    >>> from spinpromote.sim import Spinnaker
    >>> try:
    ...     Spinnaker().save({"application": "demo", "name": " "})
    ... except SpinnakerAnswer as error:
    ...     print(error.status, error.message)
    400 A pipeline requires name and application fields

    ```
    """

    def __init__(self, status: int, message: str, *, execution_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.execution_id = execution_id  # the TERMINAL execution orca stored, when a start failed
