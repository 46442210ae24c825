"""The ``riskrules`` command line: a thin typer app.

Each command calls one library function and renders its result: results on
stdout, diagnostics and summaries on stderr. Exit codes: 0 ok, 1 problems
found (diagnostics, failing tests, bad input lines), 2 usage errors.
"""
from __future__ import annotations

import sys

from .common import app
from .render import err
# each module registers its commands; imported in the order of --help
from . import ruleset, decide, reference, book, review, model, intent  # noqa: F401, I001

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
