"""spinpromote: Spinnaker pipelines as typed, tested Python.

Build pipelines (or a whole `PromotionChain`) from typed classes, render the exact JSON Spinnaker stores,
parse existing pipelines losslessly, and validate what Spinnaker would only reveal at run time. The Gate
client lives in `spinpromote.gate`; `import spinpromote` does not import it (nor ``requests``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see (tests/test_public_api.py checks it covers _EXPORTS)
    from spinpromote.builder import *  # noqa: F403
    from spinpromote.chain import *  # noqa: F403
    from spinpromote.errors import PipelineFormatError as PipelineFormatError
    from spinpromote.errors import SpinpromoteError as SpinpromoteError
    from spinpromote.errors import ValidationError as ValidationError
    from spinpromote.ids import *  # noqa: F403
    from spinpromote.model import *  # noqa: F403
    from spinpromote.model.application import Application as Application
    from spinpromote.validate import Problem as Problem

# The public names, by the module that defines them. The model's are its own ``__all__`` (their one home),
# read when first needed. Names are loaded on first use (PEP 562), so `import spinpromote` stays cheap:
# creating the model's attrs classes costs more than importing cattrs itself.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "spinpromote.builder": ("PipelineBuilder",),
    "spinpromote.chain": ("Environment", "GateStep", "Layout", "PromotionChain", "Target"),
    "spinpromote.errors": ("PipelineFormatError", "SpinpromoteError", "ValidationError"),
    "spinpromote.ids": ("expected_artifact_id", "pipeline_id"),
    "spinpromote.model.application": ("Application",),
    "spinpromote.validate": ("Problem",),
}
_WHOLE_MODULE = "spinpromote.model"

_LAZY = {name: module for module, names in _EXPORTS.items() for name in names}


def _public_names() -> list[str]:
    """Every exported name, in ruff's order for ``__all__`` (RUF022): CONSTANTS, then Classes, then functions."""
    names = {*_LAZY, *importlib.import_module(_WHOLE_MODULE).__all__}
    return sorted(names, key=lambda name: (0 if name.isupper() else 1 if name[:1].isupper() else 2, name))


def __getattr__(name: str) -> Any:
    if name == "__all__":
        value: Any = _public_names()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("__") and name in importlib.import_module(_WHOLE_MODULE).__all__:
        value = getattr(importlib.import_module(_WHOLE_MODULE), name)
    else:
        raise AttributeError(f"module 'spinpromote' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()))


__version__ = "0.1.0.dev0"
