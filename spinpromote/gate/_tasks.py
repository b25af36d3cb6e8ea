"""Creating and updating applications through Gate's task endpoint, as Deck does.

``POST /tasks`` with a ``createApplication`` or ``updateApplication`` job (gate TaskController.groovy:46-50);
orca runs both as the same upsert (UpsertApplicationTask.groovy:64-97), which also sets the permissions
given. Gate answers ``{"ref": "/tasks/<id>"}`` at once; ``GET /tasks/<id>`` shows the status.
"""

from __future__ import annotations

import time
from typing import Any

from spinpromote._terminal import printable
from spinpromote.errors import GateError
from spinpromote.gate._retry import Budget
from spinpromote.gate._transport import Transport, json_body, json_kind, response_error
from spinpromote.planning import ApplicationChange

__all__ = ["run_application_task"]

# orca's ExecutionStatus values after which a task no longer changes.
_TASK_DONE = frozenset({"SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED", "FAILED_CONTINUE", "SKIPPED"})
_FIRST_POLL, _MAX_POLL = 0.05, 1.0


def _task_errors(task: dict[str, Any]) -> list[str]:
    """The errors orca recorded: ``variables[key=exception].value.details.errors``."""
    for variable in task.get("variables") or []:
        if isinstance(variable, dict) and variable.get("key") == "exception":
            value = variable.get("value")
            details = value.get("details") if isinstance(value, dict) else None
            errors = details.get("errors") if isinstance(details, dict) else None
            if isinstance(errors, list):
                return [str(error) for error in errors]
    return []


def _task_id(transport: Transport, change: ApplicationChange, budget: Budget) -> str:
    job_type = "createApplication" if change.action == "create" else "updateApplication"
    body = {
        "application": change.name,
        "description": f"{'Create' if change.action == 'create' else 'Update'} Application: {change.name}",
        "job": [{"type": job_type, "application": dict(change.body)}],
    }
    action = f"starting {job_type} for {change.name!r}"
    # Both job types are upserts, so a repeated task does no harm: retried like a read.
    response = transport.request("POST", "/tasks", json_body=body, action=action, budget=budget)
    answer = json_body(response, action) if response.content else None
    ref = answer.get("ref") if isinstance(answer, dict) else None
    if not isinstance(ref, str) or not ref.strip("/"):
        raise response_error(response, action, f"JSON: {json_kind(answer)}, not a task reference (a 'ref')")
    return ref.rstrip("/").rsplit("/", 1)[-1]


def run_application_task(transport: Transport, change: ApplicationChange, budget: Budget) -> None:
    """Start the task that writes ``change`` and wait for it until ``budget``'s deadline; `GateError` if it fails."""
    task_id = _task_id(transport, change, budget)
    action = f"reading task {task_id} (application {change.name!r})"
    wait = _FIRST_POLL
    while True:
        # Each poll is a request of its own (with its own attempts), bounded by the same deadline.
        response = transport.request(
            "GET", f"/tasks/{task_id}", action=action, budget=transport.retry.budget(budget.deadline)
        )
        task = json_body(response, action)
        if not isinstance(task, dict) or not isinstance(task.get("status", ""), str):
            raise response_error(response, action, f"JSON: {json_kind(task)}, not a task object")
        status = str(task.get("status") or "")
        if status == "SUCCEEDED":
            return
        if status in _TASK_DONE:
            errors = "; ".join(_task_errors(task)) or "no reason given"
            raise GateError(printable(f"writing application {change.name!r} ended {status}: {errors}"))
        if budget.seconds_left() <= 0:
            raise GateError(f"writing application {change.name!r}: task {task_id} still {status} at the deadline")
        time.sleep(min(wait, budget.seconds_left()))
        wait = min(wait * 2, _MAX_POLL)
