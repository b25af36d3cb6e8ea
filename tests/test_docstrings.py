"""The examples in docstrings are true: doctest runs every module's examples (``+SKIP`` ones need a Gate)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import spinpromote

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(spinpromote.__path__, "spinpromote.")
    if name not in {"spinpromote.__main__"}
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every ``>>>`` example in the module's docstrings gives the output shown."""
    module = importlib.import_module(name)
    globs = {name: getattr(spinpromote, name) for name in spinpromote.__all__}
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.ELLIPSIS, verbose=False)

    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail (see the output above)"
