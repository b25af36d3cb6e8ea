"""The public surface of spinpromote.gate and spinpromote.testing: sorted, complete, importable."""

from __future__ import annotations

import re
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

    gate_errors = [
        name for name in errors.__all__ if name.startswith("Gate") or name in ("ApplyError", "WaitDeadlineExceeded")
    ]
    for name in gate_errors:
        assert getattr(spinpromote.gate, name) is getattr(errors, name)


def documented_tree() -> dict[str, str]:
    """Each exception's parent, as the tree in spinpromote.errors' docstring draws it."""
    from spinpromote import errors

    drawing = (errors.__doc__ or "").split("```")[1]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in drawing.strip().splitlines():
        match = re.match(r"^([\s│├└─]*)(\w+)", line)
        assert match, line
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_the_documented_error_tree_is_the_real_one() -> None:
    """The tree is written once (in spinpromote.errors) and it is true: every class, every parent."""
    from spinpromote import errors

    parents = documented_tree()

    assert set(parents) | {"SpinpromoteError"} == set(errors.__all__)
    for name, parent in parents.items():
        assert getattr(errors, name).__bases__[0] is getattr(errors, parent), name
    assert issubclass(errors.GateAuthError, errors.GateHTTPError)
    assert issubclass(errors.GateTimeout, errors.GateTransportError)
    assert not issubclass(errors.ApplyError, errors.GateError)
    assert not issubclass(errors.WaitDeadlineExceeded, errors.GateError)


def test_no_public_name_collides_with_the_gate_package() -> None:
    """`spinpromote.Gate` was a chain step while `spinpromote.gate` is the client: the step is GateStep now."""
    import spinpromote

    assert "Gate" not in spinpromote.__all__
    assert not hasattr(spinpromote, "Gate")
    assert spinpromote.GateStep.__module__ == "spinpromote.chain"


def test_importing_spinpromote_does_not_import_requests() -> None:
    code = "import sys, spinpromote; sys.exit('requests' in sys.modules)"

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_planning_and_testing_stay_light() -> None:
    """Planning is pure functions over JSON: importing it loads neither requests nor the model. FakeGate serves
    the simulator, whose records hold model objects: it loads the model, still neither requests nor cattrs."""
    planning = (
        "import sys, spinpromote.planning; "
        "sys.exit(sorted(m for m in ('requests', 'spinpromote.model', 'cattrs') if m in sys.modules) != [])"
    )
    testing = (
        "import sys, spinpromote.testing; sys.exit(sorted(m for m in ('requests', 'cattrs') if m in sys.modules) != [])"
    )

    assert subprocess.run([sys.executable, "-c", planning], check=False).returncode == 0
    assert subprocess.run([sys.executable, "-c", testing], check=False).returncode == 0
