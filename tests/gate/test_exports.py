"""The public surface of spinpromote.gate and spinpromote.testing: sorted, complete, importable."""

from __future__ import annotations

import subprocess
import sys

import pytest

import spinpromote.gate
import spinpromote.planning
import spinpromote.testing


def isort_style(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2), name


@pytest.mark.parametrize("module", [spinpromote.gate, spinpromote.testing], ids=lambda m: m.__name__)
def test_all_is_sorted_and_lists_every_public_name(module: object) -> None:
    exported = module.__all__  # type: ignore[attr-defined]
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(module.__name__)  # type: ignore[attr-defined]
    }

    assert exported == sorted(exported, key=isort_style)
    assert public <= set(exported)
    assert all(hasattr(module, name) for name in exported)


def test_public_classes_show_their_public_module() -> None:
    """Classes show the public module they are documented in, never a private one."""
    assert repr(spinpromote.gate.GateClient) == "<class 'spinpromote.gate.GateClient'>"
    assert repr(spinpromote.gate.Plan) == "<class 'spinpromote.planning.Plan'>"  # re-exported by the client
    assert spinpromote.gate.Plan is spinpromote.planning.Plan


def test_gate_errors_are_the_ones_of_spinpromote_errors() -> None:
    from spinpromote import errors

    for name in ("GateError", "GateHTTPError", "GateAuthError", "GateConflictError", "GateStaleError"):
        assert getattr(spinpromote.gate, name) is getattr(errors, name)
    assert issubclass(spinpromote.gate.ApplyError, errors.GateError)


def test_importing_spinpromote_does_not_import_requests() -> None:
    code = "import sys, spinpromote; sys.exit('requests' in sys.modules)"

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
