"""The examples in the TUI's docstrings stay true."""

from __future__ import annotations

import doctest

import pytest

from riskrules.review.tui import evidence, format, retry, similar
from riskrules.review.tui.widgets import contributions


@pytest.mark.parametrize("module", [evidence, format, retry, similar, contributions], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed
