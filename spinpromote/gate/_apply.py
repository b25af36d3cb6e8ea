"""Applying a plan: upstream first, independent pipelines in parallel, every outcome confirmed.

Safety rules, from what Gate and front50 do under faults (docs/gate.md, "How apply stays safe"):

- Every save carries an id, so repeating a save overwrites the same document instead of adding one.
- Just before each write or delete the pipeline is re-read (one request) and compared with what the plan
  read: a pipeline changed, deleted or created since is refused with `GateStaleError` (see ``_guard``).
- Saves also send the ``updateTs`` the plan read with ``staleCheck=true``, for front50s that enforce it.
- After an ambiguous outcome (timeout, dropped connection, 5xx, "already exists", "(status: RUNNING)",
  a stale check that may be our own earlier attempt) the pipeline is re-read by name before deciding.
- Every write is confirmed by reading it back. The re-read, the saves and the read-backs of one pipeline
  share one budget of the retry policy's attempts, so a save that keeps failing costs that many requests.
- Applications are written first, one at a time; deletes last, only when every write succeeded, and only of
  pipelines still owned and unchanged.
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
from spinpromote.gate._guard import check_not_moved, same_content, stale_error
from spinpromote.gate._retry import Budget
from spinpromote.planning import ApplicationChange, PipelineChange, Plan, name_key, owner_of

if TYPE_CHECKING:
    from spinpromote.gate._client import GateClient

__all__ = ["ApplyEvent", "ApplyResult", "ChangeOutcome", "apply_plan", "save_confirmed"]

Change = PipelineChange | ApplicationChange

OutcomeStatus = Literal["written", "deleted", "unchanged", "failed", "skipped"]
EventKind = Literal["started", "written", "deleted", "failed", "skipped"]

_EVENT_OF_STATUS: Mapping[str, EventKind] = {
    "written": "written",
    "deleted": "deleted",
    "failed": "failed",
    "skipped": "skipped",
}


def _label(change: PipelineChange) -> str:
    return f"{change.application} / {change.name}"


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

    change: Change
    status: OutcomeStatus
    attempts: int = 0
    error: GateError | None = attrs.field(default=None, eq=False)
    reason: str = ""

    def __str__(self) -> str:
        plural = "" if self.attempts == 1 else "s"
        change = self.change
        what = f"application {change.name}" if isinstance(change, ApplicationChange) else _label(change)
        text = f"{self.status:<10} {what} ({change.action}"
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
    change: Change
    done: int
    total: int
    error: GateError | None = None

    def __str__(self) -> str:
        change = self.change
        what = f"application {change.name}" if isinstance(change, ApplicationChange) else _label(change)
        return printable(f"[{self.done}/{self.total}] {self.kind} {what}")


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
        return tuple(o.change for o in self._with("written") if isinstance(o.change, PipelineChange))

    @property
    def applications_written(self) -> tuple[ApplicationChange, ...]:
        """Applications created or updated."""
        return tuple(o.change for o in self._with("written") if isinstance(o.change, ApplicationChange))

    @property
    def deleted(self) -> tuple[PipelineChange, ...]:
        """Pipelines deleted by pruning."""
        return tuple(o.change for o in self._with("deleted") if isinstance(o.change, PipelineChange))

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


def save_confirmed(
    client: GateClient, body: Mapping[str, Any], *, update_ts: str | None, budget: Budget, read_back: bool = True
) -> int:
    """Save ``body`` (which has an id) until Gate confirms it by reading it back; return the saves sent.

    With ``update_ts`` (the ``updateTs`` the plan read) the save asks front50 for its staleCheck. The saves
    and the reads that confirm them share ``budget``: every failed try spends one attempt, and after each
    failed save one read decides whether it landed anyway. Without ``read_back`` the caller confirms the save
    itself (apply reads each application once for all its saves). Raises `GateStaleError` when someone else
    changed the pipeline, `GateConflictError` when its name belongs to another pipeline.
    """
    document = dict(body)
    if update_ts is not None:
        document["updateTs"] = update_ts
    application, name = str(document["application"]), str(document["name"])
    saves = 0
    while True:
        saves += 1
        try:
            client.post_pipeline(document, stale_check=update_ts is not None, budget=budget)
            break
        except GateAuthError:
            raise
        except GateError as exc:
            if not _is_ambiguous(exc):
                raise
            live = client.find_pipeline_config(application, name, budget=budget)
            if live is not None and same_content(live, document):
                return saves  # this or an earlier attempt landed
            if isinstance(exc, GateConflictError) and live is not None and live.get("id") != document["id"]:
                raise GateConflictError(
                    f"pipeline {name!r} in {application!r} now exists with id {live.get('id')}, not "
                    f"{document['id']}: it was created outside this plan; plan again to adopt it",
                    **_error_fields(exc),
                ) from exc
            if isinstance(exc, GateStaleError) and live is not None and str(live.get("updateTs")) != update_ts:
                raise stale_error(name, application, live, "was changed in Spinnaker after the plan read it") from exc
            if not budget.can_retry():
                raise
            # Not landed yet, or the read lags behind the write: wait, then save again (same id, same body).
            client.retry.sleep(saves, budget=budget)
    return _read_back(client, document, saves, budget) if read_back else saves


def _read_back(client: GateClient, document: Mapping[str, Any], saves: int, budget: Budget) -> int:
    """Read the saved pipeline until it shows (reads may lag behind writes); return ``saves``."""
    application, name = str(document["application"]), str(document["name"])
    reads = 0
    while True:
        reads += 1
        try:
            live = client.find_pipeline_config(application, name, budget=budget)
        except GateError as exc:  # the save went through: say so, whatever the read says
            raise _not_confirmed(name, reads, exc) from None
        if live is not None and same_content(live, document):
            return saves
        budget.fail()
        if not budget.can_retry():
            raise _not_confirmed(name, reads, None)
        client.retry.sleep(reads, budget=budget)


def _error_fields(error: GateError) -> dict[str, Any]:
    fields: dict[str, Any] = {"request": error.request, "response": error.response}
    if isinstance(error, GateHTTPError):
        fields.update(status=error.status, gate_message=error.gate_message)
    return fields


class _Progress:
    """Collects outcomes and reports events; used only from the calling thread."""

    def __init__(self, total: int, callback: Callable[[ApplyEvent], None] | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self.outcomes: dict[int, ChangeOutcome] = {}

    def event(self, kind: EventKind, change: Change, error: GateError | None = None) -> None:
        if kind != "started":
            self.done += 1
        if self.callback is not None:
            self.callback(ApplyEvent(kind=kind, change=change, done=self.done, total=self.total, error=error))

    def finish(self, index: int, outcome: ChangeOutcome) -> None:
        self.outcomes[index] = outcome
        if outcome.status != "unchanged":
            self.event(_EVENT_OF_STATUS[outcome.status], outcome.change, outcome.error)


def _write(client: GateClient, change: PipelineChange, budget: Budget) -> ChangeOutcome:
    """Re-read, check nothing moved since the plan, save; `_confirm_visible` reads it back with the same budget."""
    assert change.body is not None
    try:
        live = _reread(client, change, budget)
        if check_not_moved(change, live) == "done":
            return ChangeOutcome(change=change, status="written", reason=_ALREADY_SAVED)
        update_ts = change.read_update_ts if change.action == "update" else None
        saves = save_confirmed(client, change.body, update_ts=update_ts, budget=budget, read_back=False)
    except GateError as exc:
        return ChangeOutcome(change=change, status="failed", attempts=budget.failures, error=exc)
    return ChangeOutcome(change=change, status="written", attempts=saves)


_ALREADY_SAVED = "already saved by an earlier apply"


def _reread(client: GateClient, change: PipelineChange, budget: Budget) -> dict[str, Any] | None:
    """The live pipeline the plan read, found by the name it had then: a planned rename changes the name,
    so the new name finds nothing until the rename is saved. When the old name is gone, an earlier apply of
    the same plan may have saved the rename already: the new name then holds exactly ``change.body``."""
    read_name = str((change.live or {}).get("name", change.name))
    live = client.find_pipeline_config(change.application, read_name, budget=budget)
    if live is None and name_key(change.application, read_name) != name_key(change.application, change.name):
        renamed = client.find_pipeline_config(change.application, change.name, budget=budget)
        if renamed is not None and change.body is not None and same_content(renamed, change.body):
            return renamed
    return live


def _confirm_visible(
    client: GateClient, written: dict[int, ChangeOutcome], budgets: Mapping[int, Budget]
) -> dict[int, ChangeOutcome]:
    """Read each application once per round until every save shows; each round a save does not show yet
    spends one attempt of that pipeline's budget (the one its save used). Returns the outcomes that fail."""
    waiting = {index: outcome for index, outcome in written.items() if outcome.reason != _ALREADY_SAVED}
    failed: dict[int, ChangeOutcome] = {}
    rounds = 0
    while waiting:
        rounds += 1
        applications = {o.change.application.lower(): o.change.application for o in waiting.values()}
        read_errors: dict[str, GateError] = {}
        for key, application in applications.items():
            try:
                live = client.list_pipeline_configs(application)
            except GateError as exc:  # the writes may well have landed: say so if they never show
                read_errors[key] = exc
                continue
            by_name = {name_key(application, str(doc.get("name", ""))): doc for doc in live}
            for index, outcome in list(waiting.items()):
                change = outcome.change
                assert isinstance(change, PipelineChange)
                assert change.body is not None
                doc = by_name.get(name_key(change.application, change.name))
                if change.application.lower() == key and doc is not None and same_content(doc, change.body):
                    del waiting[index]
        for index, outcome in list(waiting.items()):
            budget = budgets[index]
            budget.fail()
            if not budget.can_retry():
                del waiting[index]
                error = _not_confirmed(outcome.change.name, rounds, read_errors.get(outcome.change.application.lower()))
                failed[index] = attrs.evolve(outcome, status="failed", error=error)
        if waiting:
            client.retry.sleep(rounds, budget=budgets[next(iter(waiting))])
    return failed


def _not_confirmed(name: str, reads: int, read_error: GateError | None) -> GateError:
    """Why a saved pipeline counts as failed: it never showed, or Gate's listings could not be read."""
    if read_error is not None:
        return type(read_error)(
            f"pipeline {name!r} was saved, but reading it back failed: {read_error}", **_error_fields(read_error)
        )
    return GateError(
        f"pipeline {name!r} was saved, but Gate does not show it as saved after {reads} read(s) "
        "(read-after-write lag, or changed by someone else since); plan again to check"
    )


def _delete(client: GateClient, change: PipelineChange, owner: str, deadline: float) -> ChangeOutcome:
    budget = client.retry.budget(deadline)
    try:
        live = client.find_pipeline_config(change.application, change.name, budget=budget)
        if live is not None and (live.get("id") != change.id or owner_of(live) != owner):
            return ChangeOutcome(
                change=change,
                status="skipped",
                reason="the pipeline with this name is no longer the one spinpromote owns; left alone",
            )
        if check_not_moved(change, live) == "done":
            return ChangeOutcome(change=change, status="deleted", attempts=1, reason="already gone")
        client.delete_pipeline(change.application, change.name, budget=budget)
    except GateError as exc:
        return ChangeOutcome(change=change, status="failed", attempts=1 + budget.failures, error=exc)
    return ChangeOutcome(change=change, status="deleted", attempts=1 + budget.failures)


def _write_application(client: GateClient, change: ApplicationChange, deadline: float) -> ChangeOutcome:
    budget = client.retry.budget(deadline)
    try:
        client.write_application(change, budget=budget)
    except GateError as exc:
        return ChangeOutcome(change=change, status="failed", attempts=1 + budget.failures, error=exc)
    return ChangeOutcome(change=change, status="written", attempts=1 + budget.failures)


def _late(change: Change) -> ChangeOutcome:
    return ChangeOutcome(change=change, status="skipped", reason="the apply's deadline passed before it started")


def apply_plan(
    client: GateClient,
    plan: Plan,
    *,
    concurrency: int = 4,
    deadline: float | None = None,
    on_progress: Callable[[ApplyEvent], None] | None = None,
) -> ApplyResult:
    """Carry out ``plan`` through ``client``; see `GateClient.apply`."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if plan.missing_applications:
        raise GateError(
            f"applications {', '.join(plan.missing_applications)} do not exist in Spinnaker: give them as "
            "Application(...) (PromotionChain(application_spec=...) or plan(applications=[...])) to create "
            "them, or create them first (front50 would store the pipelines, but nobody would see them)"
        )
    started_at = time.monotonic()
    ends_at = started_at + deadline if deadline is not None else float("inf")
    changes: list[Change] = [*plan.applications, *plan.changes]
    progress = _Progress(sum(1 for c in changes if c.action != "unchanged"), on_progress)
    for index, change in enumerate(changes):
        if change.action == "unchanged":
            progress.finish(index, ChangeOutcome(change=change, status="unchanged"))

    failed_applications: set[str] = set()
    for index, change in enumerate(changes):
        if isinstance(change, ApplicationChange) and change.is_write:
            if time.monotonic() >= ends_at:
                outcome = _late(change)
            else:
                progress.event("started", change)
                outcome = _write_application(client, change, ends_at)
            if outcome.status != "written":
                failed_applications.add(change.name.lower())
            progress.finish(index, outcome)

    writes = {i: c for i, c in enumerate(changes) if isinstance(c, PipelineChange) and c.is_write}
    index_by_id = {change.id: index for index, change in writes.items()}
    depends = {
        index: {index_by_id[ref] for ref in change.references if ref in index_by_id} for index, change in writes.items()
    }
    pending = list(writes)
    budgets: dict[int, Budget] = {}
    finished: set[int] = set()
    broken: set[int] = set()  # failed or skipped: what depends on them is skipped
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="spinpromote-apply") as pool:
        running: dict[Future[ChangeOutcome], int] = {}
        while pending or running:
            for index in list(pending):
                reason = ""
                if writes[index].application.lower() in failed_applications:
                    reason = "its application could not be written"
                elif depends[index] & broken:
                    reason = "a pipeline it refers to failed"
                elif time.monotonic() >= ends_at:
                    reason = "the apply's deadline passed before it started"
                if reason:
                    pending.remove(index)
                    broken.add(index)
                    progress.finish(index, ChangeOutcome(change=writes[index], status="skipped", reason=reason))
            ready = [i for i in pending if depends[i] <= finished]
            if not ready and not running and pending:
                ready = pending[:1]  # a reference cycle: write one, the others follow
            for index in ready:
                if len(running) >= concurrency:
                    break
                pending.remove(index)
                progress.event("started", writes[index])
                budgets[index] = client.retry.budget(ends_at)
                running[pool.submit(_write, client, writes[index], budgets[index])] = index
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                outcome = future.result()
                (finished if outcome.status == "written" else broken).add(index)
                progress.finish(index, outcome)

    written = {i: o for i, o in progress.outcomes.items() if o.status == "written" and i in writes}
    progress.outcomes.update(_confirm_visible(client, written, budgets))

    deletes = [i for i, c in enumerate(changes) if isinstance(c, PipelineChange) and c.action == "delete"]
    clean = all(o.status in ("written", "unchanged") for o in progress.outcomes.values())
    for index in deletes:
        change = changes[index]
        assert isinstance(change, PipelineChange)
        if not clean or time.monotonic() >= ends_at:
            reason = "not pruning after a failed write" if not clean else "the apply's deadline passed"
            progress.finish(index, ChangeOutcome(change=change, status="skipped", reason=reason))
            continue
        progress.event("started", change)
        progress.finish(index, _delete(client, change, plan.owner, ends_at))

    result = ApplyResult(
        outcomes=tuple(progress.outcomes[index] for index in range(len(changes))),
        seconds=time.monotonic() - started_at,
    )
    if not result.ok:
        raise ApplyError(result)
    return result
