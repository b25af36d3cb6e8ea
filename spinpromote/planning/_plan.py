"""The plan: what would change in Spinnaker if the desired pipelines were applied.

The planner is pure: it takes the desired pipeline documents and the live documents (as Gate listed
them) and returns a `Plan`. `GateClient.plan` does the reading.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from spinpromote._terminal import printable
from spinpromote.errors import ValidationError
from spinpromote.ids import pipeline_id
from spinpromote.planning._applications import ApplicationChange, plan_application
from spinpromote.planning._diff import describe_pipeline, diff_pipelines
from spinpromote.planning._normalize import (
    OWNERSHIP_KEY,
    canonical,
    comparable,
    fingerprint,
    name_key,
    owner_of,
    pipeline_references,
    rewrite_references,
    strip_server_fields,
)
from spinpromote.planning._warnings import leftover_warning, trigger_collisions

if TYPE_CHECKING:
    from spinpromote.validate import Problem

__all__ = ["DEFAULT_OWNER", "LOCK", "Action", "PipelineChange", "Plan", "make_plan"]

Action = Literal["create", "update", "unchanged", "delete"]

DEFAULT_OWNER = "default"

LOCK: Mapping[str, Any] = {
    "ui": True,
    "allowUnlockUi": True,
    "description": "Managed by spinpromote: edit the code, not the UI",
}
"""The ``locked`` value written with ``lock=True``: exactly what Deck's Lock action saves
(deck LockPipelineModal.tsx:18-37). Deck then hides Save, Rename, Delete and "Edit as JSON"; Gate and front50
do not enforce it, so API saves still work and a save without it unlocks the pipeline."""

_SYMBOLS: Mapping[str, str] = {"create": "+", "update": "~", "unchanged": "=", "delete": "-"}


@attrs.frozen(kw_only=True)
class PipelineChange:
    """What the plan will do to one pipeline.

    ``body`` is the exact document a save would send (live ids adopted, ownership marker added);
    ``live`` is the document Gate returned, None when the pipeline does not exist yet, and
    ``read_fingerprint`` the digest of its user-owned part: apply refuses to write when the live pipeline no
    longer matches what the plan read.
    ``diff`` holds the readable lines shown by ``str(plan)``; the ownership marker shows as a change the first
    time spinpromote writes a pipeline it did not write before.

    ```pycon
    >>> live = {"application": "demo", "name": "Deploy", "id": "p-1", "limitConcurrent": True}
    >>> plan = make_plan([{**live, "limitConcurrent": False}], {"demo": [live]})
    >>> print(plan.changes[0])
    ~ update    demo / Deploy  (id p-1)
        ~ limitConcurrent: true -> false
        + spinpromote: {"owner": "default"}

    ```
    """

    action: Action
    application: str
    name: str
    id: str
    body: Mapping[str, Any] | None = attrs.field(default=None, repr=False, eq=False)
    live: Mapping[str, Any] | None = attrs.field(default=None, repr=False, eq=False)
    diff: tuple[str, ...] = attrs.field(default=(), repr=False)
    references: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    read_fingerprint: str | None = attrs.field(default=None, repr=False)

    @property
    def read_update_ts(self) -> str | None:
        """The ``updateTs`` the plan read (epoch ms, set by front50 on every save), None for a create."""
        value = self.live.get("updateTs") if self.live else None
        return None if value is None else str(value)

    @property
    def read_by(self) -> str | None:
        """Who last saved the pipeline the plan read (front50's ``lastModifiedBy``)."""
        value = self.live.get("lastModifiedBy") if self.live else None
        return None if value is None else str(value)

    @property
    def is_write(self) -> bool:
        """True for creates and updates."""
        return self.action in ("create", "update")

    def __str__(self) -> str:
        head = f"{_SYMBOLS[self.action]} {self.action:<9} {self.application} / {self.name}  (id {self.id})"
        return "\n".join([printable(head), *(printable(line) for line in self.diff)])


@attrs.frozen(kw_only=True, repr=False)
class Plan:
    """Every desired pipeline with what applying it would do, plus deletions when pruning.

    ``print(plan)`` shows a stage-level diff. Apply it with `GateClient.apply`.

    ```pycon
    >>> plan = Plan(changes=(PipelineChange(action="create", application="demo", name="Deploy", id="p-1"),))
    >>> plan.has_changes, [c.action for c in plan.changes]
    (True, ['create'])

    ```
    """

    changes: tuple[PipelineChange, ...]
    owner: str = DEFAULT_OWNER
    prune: bool = False
    missing_applications: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    applications: tuple[ApplicationChange, ...] = ()
    lock: bool = False

    @property
    def has_changes(self) -> bool:
        """True when applying would write or delete anything."""
        return any(c.action != "unchanged" for c in self.applications) or any(
            c.action != "unchanged" for c in self.changes
        )

    def to_json(self) -> str:
        """The plan as JSON text, to apply later exactly as it is with `from_json` (``spinpromote apply``).

        ```pycon
        >>> plan = make_plan([{"application": "demo", "name": "Deploy", "stages": []}], {"demo": []})
        >>> Plan.from_json(plan.to_json()) == plan
        True

        ```
        """
        from spinpromote.planning._saved import plan_to_json

        return plan_to_json(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """Read a plan written by `to_json`; `PipelineFormatError` (with the JSON path) when it is not one."""
        from spinpromote.planning._saved import plan_from_json

        return plan_from_json(text)

    def count(self, action: Action) -> int:
        """How many changes have this action."""
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> str:
        """One line: how many pipelines each action touches (and applications, when the plan manages some)."""
        text = (
            f"Plan: {self.count('create')} to create, {self.count('update')} to update, "
            f"{self.count('delete')} to delete, {self.count('unchanged')} unchanged."
        )
        if self.applications:
            actions = [change.action for change in self.applications]
            text += (
                f" Applications: {actions.count('create')} to create, {actions.count('update')} to update, "
                f"{actions.count('unchanged')} unchanged."
            )
        return text

    def __repr__(self) -> str:
        return f"<{self.summary().rstrip('.')}>"

    def _repr_html_(self) -> str:
        """The diff in colour, for notebooks: additions green, removals red, changes amber."""
        colours = {"+": "#047857", "-": "#b91c1c", "~": "#b45309", "!": "#b91c1c"}
        rows = []
        for line in str(self).splitlines():
            colour = colours.get(line.lstrip()[:1], "#0f172a")
            rows.append(f'<span style="color:{colour}">{html.escape(line)}</span>')
        return f'<pre class="spinpromote-plan">{chr(10).join(rows)}</pre>'

    def __str__(self) -> str:
        lines = [self.summary()]
        for application in self.missing_applications:
            lines.append(f"! application {application!r} does not exist in Spinnaker: create it before applying")
        lines.extend(f"! {warning}" for warning in self.warnings)
        lines = [printable(line) for line in lines]  # names come from anyone: no terminal escapes
        lines.append("")
        lines.extend(str(change) for change in (*self.applications, *self.changes))
        return "\n".join(lines)


def _check_desired(documents: Sequence[Mapping[str, Any]]) -> None:
    """Refuse what front50 would refuse: blank names or applications, names equal ignoring case."""
    from spinpromote.validate import Problem  # the model behind it is only needed to report a problem

    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for index, document in enumerate(documents):
        label = document.get("name") if isinstance(document.get("name"), str) else f"#{index}"
        blank = [f for f in ("application", "name") if not str(document.get(f) or "").strip()]
        for field in blank:
            problems.append(Problem(path=f"$.{field}", message=f"a pipeline needs a {field}", pipeline=label))
        if blank:
            continue
        key = name_key(document["application"], document["name"])
        if key in seen:
            problems.append(
                Problem(
                    path="$.name",
                    message=f"another desired pipeline is named {seen[key]!r} in application "
                    f"{document['application']!r}; front50 compares names ignoring case and spaces",
                    pipeline=label,
                )
            )
        seen[key] = document["name"]
    if problems:
        raise ValidationError(problems)


def _carry_cron_ids(body: dict[str, Any], live: Mapping[str, Any] | None) -> None:
    """Keep front50's generated cron trigger ids: echo hashes ``H`` in cron expressions from them."""
    if live is None:
        return
    live_ids = [
        t.get("id")
        for t in live.get("triggers") or []
        if isinstance(t, Mapping) and str(t.get("type", "")).lower() == "cron"
    ]
    position = 0
    for trigger in body.get("triggers") or []:
        if isinstance(trigger, dict) and str(trigger.get("type", "")).lower() == "cron":
            if not trigger.get("id") and position < len(live_ids) and live_ids[position]:
                trigger["id"] = live_ids[position]
            position += 1


def make_plan(
    desired: Sequence[Mapping[str, Any]],
    live_by_application: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    owner: str = DEFAULT_OWNER,
    prune: bool = False,
    missing_applications: Iterable[str] = (),
    lock: bool = False,
    applications: Sequence[Mapping[str, Any]] = (),
    live_applications: Mapping[str, Mapping[str, Any] | None] | None = None,
    warnings: Iterable[str] = (),
) -> Plan:
    """Compare desired pipeline documents with the live ones and decide what to do with each.

    ``live_by_application`` maps each desired application (any case) to Gate's list for it. Live
    pipelines are matched by name (trimmed, ignoring case) and their ids adopted. With ``lock`` every
    body carries `LOCK`. ``applications`` are desired application attributes (``Application.to_dict()``),
    compared with ``live_applications`` (lower-cased name to Gate's ``attributes``, None when missing).
    Every plan warns of pipelines this owner applied earlier that are no longer desired (deleted with
    ``prune``) and of enabled pipelines in one application that the same event would start twice.

    ```pycon
    >>> live = {"application": "demo", "name": "deploy", "id": "made-in-deck", "stages": []}
    >>> change = make_plan([{"application": "demo", "name": "Deploy", "stages": []}], {"demo": [live]}).changes[0]
    >>> change.action, change.id
    ('update', 'made-in-deck')

    ```
    """
    _check_desired(desired)
    warnings = list(warnings)
    live_by_name: dict[tuple[str, str], Mapping[str, Any]] = {}
    live_by_id: dict[str, Mapping[str, Any]] = {}
    for application, documents in live_by_application.items():
        for document in documents:
            if not isinstance(document.get("name"), str):
                continue
            key = name_key(str(document.get("application") or application), document["name"])
            if key in live_by_name:
                warnings.append(
                    f"application {key[0]!r} holds two pipelines named {document['name']!r} "
                    f"(ids {live_by_name[key].get('id')} and {document.get('id')}); delete one"
                )
                continue
            live_by_name[key] = document
            if isinstance(document.get("id"), str):
                live_by_id[document["id"]] = document

    # First pass: decide every pipeline's id, adopting the live id where the name already exists.
    matches: list[Mapping[str, Any] | None] = []
    id_map: dict[str, str] = {}
    final_ids: list[str] = []
    for document in desired:
        desired_id = document.get("id") or pipeline_id(document["application"], document["name"])
        live = live_by_name.get(name_key(document["application"], document["name"])) or live_by_id.get(desired_id)
        final_id = str(live["id"]) if live is not None and live.get("id") else str(desired_id)
        if document.get("id") and document["id"] != final_id:
            id_map[document["id"]] = final_id
        matches.append(live)
        final_ids.append(final_id)

    # Second pass: rewrite references and compare.
    names = {str(doc["id"]): str(doc["name"]) for doc in live_by_name.values() if doc.get("id")}
    names.update((final_id, document["name"].strip()) for document, final_id in zip(desired, final_ids, strict=True))
    changes: list[PipelineChange] = []
    desired_ids = set(final_ids)
    for document, live, final_id in zip(desired, matches, final_ids, strict=True):
        body = rewrite_references(strip_server_fields(document), id_map)
        body["id"] = final_id
        body["name"] = document["name"].strip()
        body[OWNERSHIP_KEY] = {"owner": owner}
        if lock:
            body["locked"] = dict(LOCK)
        _carry_cron_ids(body, live)
        action: Action
        if live is None:
            action, diff = "create", tuple(describe_pipeline(comparable(body), names=names))
        else:
            before, after = comparable(live), comparable(body)
            if canonical(before) == canonical(after):
                action, diff = "unchanged", ()
            else:
                action, diff = "update", tuple(diff_pipelines(before, after, names=names))
        changes.append(
            PipelineChange(
                action=action,
                application=body["application"],
                name=body["name"],
                id=final_id,
                body=body,
                live=live,
                diff=diff,
                references=frozenset(pipeline_references(body) & desired_ids - {final_id}),
                read_fingerprint=None if live is None else fingerprint(live),
            )
        )

    wanted = {name_key(change.application, change.name) for change in changes}
    wanted_ids = {change.id for change in changes}
    staying: list[Mapping[str, Any]] = []  # live pipelines that stay after the apply, besides the desired ones
    for key, live in live_by_name.items():
        if key in wanted or live.get("id") in wanted_ids:
            continue
        if owner_of(live) != owner:
            staying.append(live)
        elif not prune:
            staying.append(live)
            warnings.append(leftover_warning(live, owner))
        else:
            changes.append(
                PipelineChange(
                    action="delete",
                    application=str(live.get("application") or key[0]),
                    name=str(live["name"]),
                    id=str(live.get("id")),
                    live=live,
                    diff=tuple(describe_pipeline(comparable(live), names=names)),
                    read_fingerprint=fingerprint(live),
                )
            )
    bodies = [change.body for change in changes if change.body is not None]
    warnings += trigger_collisions([*bodies, *staying])
    live_apps = live_applications or {}
    return Plan(
        changes=tuple(changes),
        owner=owner,
        prune=prune,
        missing_applications=tuple(missing_applications),
        warnings=tuple(warnings),
        applications=tuple(plan_application(app, live_apps.get(str(app["name"]).lower())) for app in applications),
        lock=lock,
    )
