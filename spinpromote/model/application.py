"""A Spinnaker application as spinpromote manages it: owner email, description, providers, permissions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["PERMISSION_KINDS", "Application"]

PERMISSION_KINDS = ("READ", "WRITE", "EXECUTE")
"""The Fiat authorizations an application's permissions map to role lists."""


def _name(instance: object, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Application(name=...) must be a non-empty string")


def _email(instance: object, attribute: Any, value: str) -> None:
    # front50 refuses an application without an email (front50-core HasEmailValidator.java:11-12).
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Application(email=...) is required: front50 refuses an application without one")


def _providers(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


def _permissions(value: Mapping[str, Iterable[str]] | None) -> Mapping[str, tuple[str, ...]] | None:
    if value is None:
        return None
    unknown = sorted(set(value) - set(PERMISSION_KINDS))
    if unknown:
        raise ValueError(f"Application(permissions=...) takes READ, WRITE and EXECUTE, not {', '.join(unknown)}")
    result: dict[str, tuple[str, ...]] = {}
    for kind in PERMISSION_KINDS:
        roles = value.get(kind)
        if isinstance(roles, str):
            raise ValueError(f"Application(permissions={{{kind!r}: ...}}) takes a list of roles, not a string")
        result[kind] = tuple(roles) if roles is not None else ()
    if "EXECUTE" not in value:
        # Fiat lets READ roles execute when EXECUTE is absent (fiat.executeFallback, default READ:
        # FiatServerConfigurationProperties.java:44); spelled out, so that the read-back compares equal.
        result["EXECUTE"] = result["READ"]
    return result


@attrs.frozen(kw_only=True)
class Application:
    """A Spinnaker application, created or updated together with its pipelines.

    ``permissions`` maps ``READ``, ``WRITE`` and ``EXECUTE`` to role lists (None: leave them as they are;
    without ``EXECUTE``, the READ roles may execute, as Fiat's default). ``cloud_providers`` takes a list
    or a comma-separated string.

    ```pycon
    >>> app = Application(name="demo", email="team@example.com", permissions={"READ": ["dev"], "WRITE": ["ops"]})
    >>> app.to_dict()["permissions"]
    {'READ': ['dev'], 'WRITE': ['ops'], 'EXECUTE': ['dev']}

    ```
    """

    name: str = attrs.field(validator=_name)
    email: str = attrs.field(validator=_email)
    description: str | None = None
    cloud_providers: tuple[str, ...] = attrs.field(default=("kubernetes",), converter=_providers)
    permissions: Mapping[str, tuple[str, ...]] | None = attrs.field(default=None, converter=_permissions)

    def to_dict(self) -> dict[str, Any]:
        """The ``application`` object of Gate's createApplication/updateApplication task, as Deck sends it.

        ``cloudProviders`` is comma-joined, as Deck's ApplicationWriter sends it and front50 stores it.

        ```pycon
        >>> Application(name="demo", email="team@example.com", cloud_providers=["kubernetes", "aws"]).to_dict()
        {'name': 'demo', 'email': 'team@example.com', 'cloudProviders': 'kubernetes,aws'}

        ```
        """
        body: dict[str, Any] = {"name": self.name.strip(), "email": self.email.strip()}
        if self.description is not None:
            body["description"] = self.description
        body["cloudProviders"] = ",".join(self.cloud_providers)
        if self.permissions is not None:
            body["permissions"] = {kind: list(roles) for kind, roles in self.permissions.items()}
        return body
