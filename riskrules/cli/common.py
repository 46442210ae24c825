"""The typer app and what its commands share: arguments, the ruleset path, loading an engine, ``--now``."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .._common.files import NoRuleset, ruleset_file
from ..dsl.diagnostics import RulesetError
from .render import _esc, _ruleset_failed, _usage, err


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="riskrules: risk rules for consumer lending — check, test, run and explain them.")
NOW_HELP = "decide as of this time, ISO 8601 (default: the ruleset's decision_time, else the wall clock)"

PathArg = Annotated[Path, typer.Argument(help="ruleset file (.yaml or .rules)")]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json")]


def _ruleset_path(path: Path) -> Path:
    """The ruleset file ``path`` names: the file itself, or a folder's ruleset.yaml / ruleset.rules."""
    try:
        return ruleset_file(path)
    except NoRuleset as exc:
        raise _usage(_esc(str(exc))) from None


def _load_engine(path: Path, fmt: str = "text", strict_input: bool = False):
    from ..engine.runtime import Engine

    try:
        return Engine.load(_ruleset_path(path), strict_input=strict_input)
    except RulesetError as exc:
        failed = _ruleset_failed(exc, fmt)
        if fmt != "json":
            n = sum(d.is_error for d in exc.diagnostics)
            err.print(f"[red]{n} error{'s' if n != 1 else ''}[/]: the ruleset does not check")
        raise failed


def _parse_now(now: str | None):
    """``--now``: an explicit decision time overriding the ruleset's ``decision_time`` (naive is UTC)."""
    from ..engine.validate import as_datetime

    if now is None:
        return None
    when = as_datetime(now)
    if when is None:
        raise _usage(f"--now {_esc(repr(now[:60]))} is not an ISO 8601 datetime (e.g. 2026-03-01T10:00:00+08:00)")
    return when
