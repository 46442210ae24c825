"""``riskrules outcomes``: loan outcomes fed back into the review loop."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import FormatOpt
from .render import out, _fail, _format, _json
from .reviewing import DEFAULT_DB, DbOpt, RulesetOpt, _store, _errors, _describe, _engine


outcomes_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                           help="Loan outcomes fed back into the review loop.")


@outcomes_app.command("import")
def outcomes_import(file: Path, db: DbOpt = DEFAULT_DB, ruleset: RulesetOpt = None, format: FormatOpt = "text",
                    label: Annotated[str, typer.Option(help="column saying what became of the loan: 1/true/bad, "
                                                            "0/false/good, or a named bad outcome (default_90d, fraud)")] = "label",
                    id_column: Annotated[str, typer.Option("--id", help="column with the application id, matched on the "
                                                                        "ruleset's review: id field")] = "application_id",
                    bad_value: Annotated[Optional[str], typer.Option("--bad-value", help="the label value meaning bad, when coded otherwise (e.g. 2)")] = None,
                    good_value: Annotated[Optional[str], typer.Option("--good-value", help="the label value meaning good (e.g. 1)")] = None) -> None:
    """Import outcomes (decision_id or an application id, and a label); approved-then-bad opens cases."""
    _format(format)
    from ..review.outcomes import import_outcomes

    if not file.exists():
        raise _fail(f"{file}: no such file", 2)
    store = _store(db)
    try:
        engine = _engine(ruleset)[0] if ruleset is not None else None
        report = import_outcomes(store, file, engine=engine, label=label, id_column=id_column,
                                 bad_value=bad_value, good_value=good_value)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json(report.__dict__)
    else:
        out.print(f"{report.added} outcome(s) recorded; {report.cases} case(s) opened for approved applications gone bad")


# -- ingest ---------------------------------------------------------------------------------
