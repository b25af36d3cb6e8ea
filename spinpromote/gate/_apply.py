"""Applying a plan: upstream first, independent pipelines in parallel, every outcome confirmed.

Safety rules, from what Gate and front50 do under faults (docs/gate.md, "How apply stays safe"):

- Every save carries an id, so repeating a save overwrites the same document instead of adding one.
- After an ambiguous outcome (timeout, dropped connection, 5xx, "already exists", "(status: RUNNING)",
  a stale check that may be our own earlier attempt) the pipeline is re-read by name before deciding.
- A save of an existing pipeline sends the ``updateTs`` the plan read, with ``staleCheck=true``: if anyone
  saved it since, front50 refuses and apply reports it instead of overwriting the edit.
- Deletes happen last, only when every write succeeded, and only of pipelines still owned and unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Literal

import attrs

from spinpromote._terminal import printable
from spinpromote.errors import (
    ApplyError,
    GateAuthError,
    GateConflictError,
    GateError,
    GateHTTPError,
    GateStaleError,
    GateTransportError,
)
from spinpromote.planning import PipelineChange, Plan, canonical, comparable, name_key, owner_of

if TYPE_CHECKING:
    from spinpromote.gate._client import GateClient

__all__ = ["ApplyEvent", "ApplyResult", "ChangeOutcome", "apply_plan", "save_confirmed"]

OutcomeStatus = Literal["written", "deleted", "unchanged", "failed", "skipped"]
EventKind = Literal["started", "written", "deleted", "failed", "skipped"]

_EVENT_OF_STATUS: Mapping[str, EventKind] = {
    "written": "written",
    "deleted": "deleted",
    "failed": "failed",
    "skipped": "skipped",
}

# Statuses after which a save may or may not have landed; 429 is retried by the transport itself.
_AMBIGUOUS_STATUSES = frozenset({500, 502, 503, 504})


@attrs.frozen(kw_only=True)
class ChangeOutcome:
    """What happened to one planned change.

    ```pycon
    >>> change = PipelineChange(action="create", application="demo", name="Deploy", id="p-1")
    >>> str(ChangeOutcome(change=change, status="written", attempts=1))
    'written    demo / Deploy (create, 1 attempt)'

    ```
    """

    change: PipelineChange
    status: OutcomeStatus
    attempts: int = 0
    error: GateError | None = attrs.field(default=None, eq=False)
    reason: str = ""

    def __str__(self) -> str:
        plural = "" if self.attempts == 1 else "s"
        text = f"{self.status:<10} {self.change.application} / {self.change.name} ({self.change.action}"
        text += f", {self.attempts} attempt{plural})" if self.attempts else ")"
        if self.error is not None:
            text += f": {self.error}"
        elif self.reason:
            text += f": {self.reason}"
        return printable(text)  # names and Gate's messages may hold terminal escapes


@attrs.frozen(kw_only=True)
class ApplyEvent:
    """Progress of an apply, passed to the ``on_progress`` callback (always from the calling thread).

    ``done`` counts finished changes out of ``total`` writes and deletes.

    ```pycon
    >>> change = PipelineChange(action="create", application="demo", name="Deploy", id="p-1")
    >>> print(ApplyEvent(kind="written", change=change, done=1, total=3))
    [1/3] written demo / Deploy

    ```
    """

    kind: EventKind
    change: PipelineChange
    done: int
    total: int
    error: GateError | None = None

    def __str__(self) -> str:
        return printable(f"[{self.done}/{self.total}] {self.kind} {self.change.application} / {self.change.name}")


@attrs.frozen(kw_only=True)
class ApplyResult:
    """Every change of the plan with its outcome.

    ``written`` and ``deleted`` list what changed in Spinnaker; ``failed`` and ``skipped`` what did not.
    Applying the same plan, or a new plan, again converges: finished writes are recognised as done.

    ```pycon
    >>> change = PipelineChange(action="create", application="demo", name="Deploy", id="p-1")
    >>> result = ApplyResult(outcomes=(ChangeOutcome(change=change, status="written", attempts=1),))
    >>> [c.name for c in result.written], result.ok
    (['Deploy'], True)

    ```
    """

    outcomes: tuple[ChangeOutcome, ...]
    seconds: float = 0.0

    def _with(self, status: OutcomeStatus) -> tuple[ChangeOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == status)

    @property
    def written(self) -> tuple[PipelineChange, ...]:
        """Pipelines created or updated."""
        return tuple(outcome.change for outcome in self._with("written"))

    @property
    def deleted(self) -> tuple[PipelineChange, ...]:
        """Pipelines deleted by pruning."""
        return tuple(outcome.change for outcome in self._with("deleted"))

    @property
    def failed(self) -> tuple[ChangeOutcome, ...]:
        """Changes that failed, each with its error."""
        return self._with("failed")

    @property
    def skipped(self) -> tuple[ChangeOutcome, ...]:
        """Changes not attempted because something they depend on failed."""
        return self._with("skipped")

    @property
    def ok(self) -> bool:
        """True when nothing failed or was skipped."""
        return not self.failed and not self.skipped

    def __str__(self) -> str:
        head = (
            f"Apply {'finished' if self.ok else 'did not finish'} in {self.seconds:.1f} s: "
            f"{len(self.written)} written, {len(self.deleted)} deleted, {len(self.failed)} failed, "
            f"{len(self.skipped)} skipped, {len(self._with('unchanged'))} unchanged."
        )
        lines = [head, *(f"  {outcome}" for outcome in self.outcomes if outcome.status != "unchanged")]
        if not self.ok:
            lines.append("Fix the failures, then plan and apply again: what was written is recognised as done.")
        return "\n".join(lines)


def _is_ambiguous(exc: GateError) -> bool:
    if isinstance(exc, (GateTransportError, GateConflictError, GateStaleError)):
        return True
    if isinstance(exc, GateHTTPError):
        running = "(status: running)" in (exc.gate_message or "").lower()
        return exc.status in _AMBIGUOUS_STATUSES or running
    return False


def _same_content(live: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    return live.get("id") == body.get("id") and canonical(comparable(live)) == canonical(comparable(body))


def save_confirmed(client: GateClient, body: Mapping[str, Any], *, fingerprint: str | None) -> int:
    """Save ``body`` (which has an id) until Gate confirms it; return the number of attempts.

    With a ``fingerprint`` (the ``updateTs`` last read) the save uses staleCheck. Raises `GateStaleError`
    when someone else changed the pipeline, `GateConflictError` when its name belongs to another pipeline.
    """
    document = dict(body)
    if fingerprint is not None:
        document["updateTs"] = fingerprint
    application, name = str(document["application"]), str(document["name"])
    attempts = client.retry.attempts
    for attempt in range(1, attempts + 1):
        try:
            client.post_pipeline(document, stale_check=fingerprint is not None)
            return attempt
        except GateAuthError:
            raise
        except GateError as exc:
            if not _is_ambiguous(exc):
                raise
            live = client.find_pipeline_config(application, name)
            if live is not None and _same_content(live, document):
                return attempt  # this or an earlier attempt landed
            if isinstance(exc, GateConflictError) and live is not None and live.get("id") != document["id"]:
                raise GateConflictError(
                    f"pipeline {name!r} in {application!r} now exists with id {live.get('id')}, not "
                    f"{document['id']}: it was created outside this plan; plan again to adopt it",
                    **_error_fields(exc),
                ) from exc
            if isinstance(exc, GateStaleError) and live is not None and str(live.get("updateTs")) != fingerprint:
                raise GateStaleError(
                    f"pipeline {name!r} in {application!r} was changed in Spinnaker after the plan read it "
                    f"(by {live.get('lastModifiedBy', 'someone')}); not overwriting it: "
                    "plan again to see the change",
                    **_error_fields(exc),
                ) from exc
            if attempt == attempts:
                raise
            # Not landed yet, or the read lags behind the write: wait, then save again (same id, same body).
            client.retry.sleep(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class _Progress:
    """Collects outcomes and reports events; used only from the calling thread."""

    def __init__(self, total: int, callback: Callable[[ApplyEvent], None] | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self.outcomes: dict[int, ChangeOutcome] = {}

    def event(self, kind: EventKind, change: PipelineChange, error: GateError | None = None) -> None:
        if kind != "started":
            self.done += 1
        if self.callback is not None:
            self.callback(ApplyEvent(kind=kind, change=change, done=self.done, total=self.total, error=error))

    def finish(self, index: int, outcome: ChangeOutcome) -> None:
        self.outcomes[index] = outcome
        if outcome.status != "unchanged":
            self.event(_EVENT_OF_STATUS[outcome.status], outcome.change, outcome.error)


def _write(client: GateClient, change: PipelineChange, stale_check: bool) -> ChangeOutcome:
    assert change.body is not None
    fingerprint = change.fingerprint if stale_check and change.action == "update" else None
    try:
        attempts = save_confirmed(client, change.body, fingerprint=fingerprint)
    except GateError as exc:
        return ChangeOutcome(change=change, status="failed", error=exc)
    return ChangeOutcome(change=change, status="written", attempts=attempts)


def _confirm_visible(client: GateClient, written: dict[int, ChangeOutcome]) -> dict[int, ChangeOutcome]:
    """Read each application once (again while reads lag) until every write shows; fail the rest."""
    waiting = dict(written)
    read_errors: dict[str, GateError] = {}
    for attempt in range(1, client.retry.attempts + 1):
        applications = {outcome.change.application.lower(): outcome.change.application for outcome in waiting.values()}
        for application in applications.values():
            try:
                live = client.list_pipeline_configs(application)
            except GateError as exc:  # say why if it never shows; the write itself may well have landed
                read_errors[application.lower()] = exc
                continue
            read_errors.pop(application.lower(), None)
            by_name = {name_key(application, str(doc.get("name", ""))): doc for doc in live}
            for index, outcome in list(waiting.items()):
                change = outcome.change
                if change.application.lower() != application.lower() or change.body is None:
                    continue
                doc = by_name.get(name_key(change.application, change.name))
                if doc is not None and _same_content(doc, change.body):
                    del waiting[index]
        if not waiting:
            break
        if attempt < client.retry.attempts:
            client.retry.sleep(attempt)
    return {
        index: attrs.evolve(
            outcome,
            status="failed",
            error=_not_confirmed(
                outcome.change, client.retry.attempts, read_errors.get(outcome.change.application.lower())
            ),
        )
        for index, outcome in waiting.items()
    }


def _not_confirmed(change: PipelineChange, reads: int, read_error: GateError | None) -> GateError:
    """Why a saved pipeline counts as failed: it never showed, or Gate's listings could not be read."""
    if read_error is not None:
        return type(read_error)(
            f"pipeline {change.name!r} was saved, but reading it back failed: {read_error}",
            **_error_fields(read_error),
        )
    return GateError(
        f"pipeline {change.name!r} was saved, but Gate does not show it as saved after "
        f"{reads} reads (read-after-write lag, or changed by someone else since)"
    )


def _error_fields(error: GateError) -> dict[str, Any]:
    fields: dict[str, Any] = {"request": error.request, "response": error.response}
    if isinstance(error, GateHTTPError):
        fields.update(status=error.status, gate_message=error.gate_message)
    return fields


def _delete(client: GateClient, change: PipelineChange, owner: str) -> ChangeOutcome:
    try:
        live = client.find_pipeline_config(change.application, change.name)
        if live is None:
            return ChangeOutcome(change=change, status="deleted", attempts=1, reason="already gone")
        if live.get("id") != change.id or owner_of(live) != owner:
            return ChangeOutcome(
                change=change,
                status="skipped",
                reason="the pipeline with this name is no longer the one spinpromote owns; left alone",
            )
        if str(live.get("updateTs")) != change.fingerprint:
            raise GateStaleError(
                f"pipeline {change.name!r} was changed in Spinnaker after the plan read it; not deleting it",
                status=400,
            )
        client.delete_pipeline(change.application, change.name)
    except GateError as exc:
        return ChangeOutcome(change=change, status="failed", attempts=1, error=exc)
    return ChangeOutcome(change=change, status="deleted", attempts=1)


def apply_plan(
    client: GateClient,
    plan: Plan,
    *,
    concurrency: int = 4,
    stale_check: bool = True,
    on_progress: Callable[[ApplyEvent], None] | None = None,
) -> ApplyResult:
    """Carry out ``plan`` through ``client``; see `GateClient.apply`."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if plan.missing_applications:
        raise GateError(
            f"applications {', '.join(plan.missing_applications)} do not exist in Spinnaker; create them "
            "first (front50 would store the pipelines, but nobody would see them)"
        )
    started_at = time.monotonic()
    changes = list(plan.changes)
    progress = _Progress(sum(1 for c in changes if c.action != "unchanged"), on_progress)
    for index, change in enumerate(changes):
        if change.action == "unchanged":
            progress.finish(index, ChangeOutcome(change=change, status="unchanged"))

    writes = {index: change for index, change in enumerate(changes) if change.is_write}
    index_by_id = {change.id: index for index, change in writes.items()}
    depends = {
        index: {index_by_id[ref] for ref in change.references if ref in index_by_id} for index, change in writes.items()
    }
    pending = list(writes)
    finished: set[int] = set()
    broken: set[int] = set()  # failed or skipped: what depends on them is skipped
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="spinpromote-apply") as pool:
        running: dict[Future[ChangeOutcome], int] = {}
        while pending or running:
            for index in [i for i in pending if depends[i] & broken]:
                pending.remove(index)
                broken.add(index)
                progress.finish(
                    index,
                    ChangeOutcome(change=writes[index], status="skipped", reason="a pipeline it refers to failed"),
                )
            ready = [i for i in pending if depends[i] <= finished]
            if not ready and not running and pending:
                ready = pending[:1]  # a reference cycle: write one, the others follow
            for index in ready:
                if len(running) >= concurrency:
                    break
                pending.remove(index)
                progress.event("started", writes[index])
                running[pool.submit(_write, client, writes[index], stale_check)] = index
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                outcome = future.result()
                (finished if outcome.status == "written" else broken).add(index)
                progress.finish(index, outcome)

    written = {i: o for i, o in progress.outcomes.items() if o.status == "written"}
    if written:
        for index, outcome in _confirm_visible(client, written).items():
            progress.outcomes[index] = outcome

    deletes = [index for index, change in enumerate(changes) if change.action == "delete"]
    clean = all(o.status in ("written", "unchanged") for o in progress.outcomes.values())
    for index in deletes:
        if not clean:
            progress.finish(
                index,
                ChangeOutcome(change=changes[index], status="skipped", reason="not pruning after a failed write"),
            )
            continue
        progress.event("started", changes[index])
        progress.finish(index, _delete(client, changes[index], plan.owner))

    result = ApplyResult(
        outcomes=tuple(progress.outcomes[index] for index in range(len(changes))),
        seconds=time.monotonic() - started_at,
    )
    if not result.ok:
        raise ApplyError(result)
    return result
