"""Planning an application: compare the attributes spinpromote sets with what front50 holds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from spinpromote._terminal import printable

__all__ = ["ApplicationAction", "ApplicationChange", "plan_application", "same_application"]

ApplicationAction = Literal["create", "update", "unchanged"]

_SYMBOLS = {"create": "+", "update": "~", "unchanged": "="}


@attrs.frozen(kw_only=True)
class ApplicationChange:
    """What the plan will do to one application: create it, update attributes, or nothing.

    ``body`` is the ``application`` object of the ``createApplication``/``updateApplication`` task; ``live``
    the attributes Gate returned (None when the application does not exist).

    ```pycon
    >>> change = plan_application({"name": "demo", "email": "team@example.com"}, None)
    >>> print(change)
    + create    application demo
        + email: "team@example.com"

    ```
    """

    action: ApplicationAction
    name: str
    body: Mapping[str, Any] = attrs.field(repr=False, eq=False)
    live: Mapping[str, Any] | None = attrs.field(default=None, repr=False, eq=False)
    diff: tuple[str, ...] = attrs.field(default=(), repr=False)

    @property
    def application(self) -> str:
        """The application's name (as for a `PipelineChange`)."""
        return self.name

    @property
    def is_write(self) -> bool:
        """True for creates and updates."""
        return self.action != "unchanged"

    def __str__(self) -> str:
        head = f"{_SYMBOLS[self.action]} {self.action:<9} application {self.name}"
        return "\n".join([printable(head), *(printable(line) for line in self.diff)])


def _normal(key: str, value: Any) -> Any:
    """A value as front50 gives it back: cloud providers as a set, role lists sorted."""
    if key == "cloudProviders":  # front50 stores and returns a comma-joined string (Application.java:32-37)
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
        return sorted({str(item).strip() for item in items if str(item).strip()})
    if key == "permissions":
        # front50 returns permissions only when the application is restricted (ApplicationsController.java:180-197)
        permissions = value if isinstance(value, Mapping) else {}
        return {str(k): sorted(map(str, v or [])) for k, v in permissions.items() if v}
    return value


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def plan_application(desired: Mapping[str, Any], live: Mapping[str, Any] | None) -> ApplicationChange:
    """Compare the desired application attributes with the live ones (Gate's ``attributes``, or None).

    Only the attributes spinpromote sets are compared: front50 merges an update into what it holds
    (ApplicationService.java:86-143), so attributes set elsewhere stay as they are.

    ```pycon
    >>> live = {"name": "DEMO", "email": "old@example.com", "cloudProviders": "kubernetes"}
    >>> change = plan_application({"name": "demo", "email": "team@example.com", "cloudProviders": "kubernetes"}, live)
    >>> change.action, change.diff
    ('update', ('    ~ email: "old@example.com" -> "team@example.com"',))

    ```
    """
    name = str(desired["name"])
    keys = [key for key in desired if key != "name"]
    if live is None:
        diff = tuple(f"    + {key}: {_show(desired[key])}" for key in keys)
        return ApplicationChange(action="create", name=name, body=dict(desired), diff=diff)
    lines = []
    for key in keys:
        before, after = _normal(key, live.get(key)), _normal(key, desired[key])
        if before != after:
            lines.append(f"    ~ {key}: {_show(live.get(key))} -> {_show(desired[key])}")
    action: ApplicationAction = "update" if lines else "unchanged"
    return ApplicationChange(action=action, name=name, body=dict(desired), live=dict(live), diff=tuple(lines))


def same_application(desired: Mapping[str, Any], live: Mapping[str, Any] | None) -> bool:
    """True when the live attributes hold every desired attribute (used to confirm a write).

    ```pycon
    >>> same_application({"name": "demo", "email": "a@b.c"}, {"name": "DEMO", "email": "a@b.c", "createTs": "1"})
    True

    ```
    """
    return live is not None and plan_application(desired, live).action == "unchanged"
