"""The public surface: a sorted, complete __all__, and an import that stays light."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import pytest

import spinpromote
import spinpromote.model
from tests.conftest import ROOT


def isort_order(name: str) -> tuple[int, str]:
    """ruff's order for __all__: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted, every name in it resolves, and nothing public in the model is left out."""
    assert spinpromote.__all__ == sorted(spinpromote.__all__, key=isort_order)
    assert len(spinpromote.__all__) == len(set(spinpromote.__all__))
    for name in spinpromote.__all__:
        value = getattr(spinpromote, name)
        module = spinpromote._LAZY.get(name, "spinpromote.model")
        assert name in importlib.import_module(module).__all__, (name, module)
        assert value is getattr(importlib.import_module(module), name)
    assert set(spinpromote.model.__all__) <= set(spinpromote.__all__)


def test_type_checkers_see_every_exported_name() -> None:
    """The TYPE_CHECKING imports of spinpromote/__init__.py cover the one list of exports."""
    tree = ast.parse((ROOT / "spinpromote" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
    visible: set[str] = set()
    for node in guarded.body:
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        if node.names[0].name == "*":
            visible |= set(importlib.import_module(node.module).__all__)
        else:
            visible |= {alias.asname or alias.name for alias in node.names}

    assert set(spinpromote.__all__) <= visible


def test_unknown_names_raise_attribute_error() -> None:
    """A typo gets the usual AttributeError, not a KeyError from the lazy loader."""
    with pytest.raises(AttributeError, match="no attribute 'Pipline'"):
        spinpromote.Pipline  # noqa: B018 - the access is the test


@pytest.mark.parametrize(
    "module_name", ["spinpromote", "spinpromote.gate", "spinpromote.planning", "spinpromote.testing"]
)
def test_every_public_class_and_function_has_an_example(module_name: str) -> None:
    """Classes and functions users meet explain themselves with an example (tests/test_docstrings.py runs them)."""
    module = importlib.import_module(module_name)
    without_example = [
        name
        for name in module.__all__
        if (inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name)))
        and ">>>" not in (getattr(module, name).__doc__ or "")
    ]

    assert without_example == []


def test_import_does_not_load_requests() -> None:
    """`import spinpromote` stays light: no requests (only spinpromote.gate needs it), no codec until used."""
    script = (
        "import sys, spinpromote; "
        "print(sorted(m for m in ('requests', 'cattrs', 'spinpromote.gate', 'spinpromote.model') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)

    assert result.stdout.strip() == "[]"


def test_the_api_page_documents_every_public_class_with_inherited_methods() -> None:
    """docs/reference/api.md has every public class of spinpromote.gate and spinpromote.testing."""
    import spinpromote.errors
    import spinpromote.gate
    import spinpromote.testing

    page = (ROOT / "docs" / "reference" / "api.md").read_text(encoding="utf-8")
    directives = page.split("\n::: ")[1:]
    documented = {directive.split("\n", 1)[0].strip() for directive in directives}
    missing = [
        f"{module.__name__}.{name}"
        for module in (spinpromote.gate, spinpromote.testing)
        for name in module.__all__
        if inspect.isclass(getattr(module, name))
        and f"{module.__name__}.{name}" not in documented
        and not ("spinpromote.errors" in documented and name in spinpromote.errors.__all__)
    ]

    assert missing == []
    assert all("inherited_members: true" in d for d in directives if d.split(".")[-1][:1].isupper()), (
        "classes list inherited methods"
    )
