"""JSON paths as spinpromote prints them: ``$.stages[2].refId``, ``$['odd-key']``."""

from __future__ import annotations

import json
import re

__all__ = ["child_path"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def child_path(path: str, key: str) -> str:
    """The JSON path of ``key`` inside the object at ``path``."""
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key)}]"
