"""Reference commands: the JSON schemas of the file formats, the builtin functions."""
from __future__ import annotations

import json
from typing import Annotated

import typer

from .common import app
from .render import out, _usage


SCHEMA_KINDS = ("ruleset", "scorecard", "tests")


@app.command()
def schema(kind: Annotated[str, typer.Option("--kind", help="ruleset, scorecard (a model file) or tests (a test file)")] = "ruleset") -> None:
    """Print the JSON Schema of a YAML format: rulesets, scorecards or test files (for editors and CI)."""
    if kind not in SCHEMA_KINDS:
        raise _usage(f"--kind is one of {', '.join(SCHEMA_KINDS)}, not {kind!r}")
    if kind == "ruleset":
        from ..dsl.yaml_format import json_schema
    elif kind == "scorecard":
        from ..engine.providers.scorecard import json_schema
    else:
        from ..engine.testing_schema import json_schema
    out.print(json.dumps(json_schema(), indent=2, ensure_ascii=False), markup=False)


@app.command()
def functions() -> None:
    """List the builtin functions with their signatures."""
    from rich.table import Table

    from ..engine.functions import all_builtins

    t = Table(show_edge=False)
    for c in ("function", "signature", "domain", "vectorised", "what it does"):
        t.add_column(c)
    for name, b in all_builtins().items():
        t.add_row(name, b.signature(), b.domain, "yes" if b.polars else "per row", b.doc)
    out.print(t)
