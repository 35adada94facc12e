"""Every runnable example in certnb's docstrings gives what it says (STYLE 8: they are what `?` shows).

Examples that need a network, a tenant or a person are marked `# doctest: +SKIP` in the docstring itself;
every other example runs here, module by module.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import certnb

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(certnb.__path__, "certnb.") if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", ["certnb", *MODULES])
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()


def test_the_examples_are_found() -> None:
    # A finder that saw nothing would make the test above pass vacuously.
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in doctest.DocTestFinder().find(importlib.import_module(name), name)
    )
    assert examples > 300
