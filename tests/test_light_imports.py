"""``import riskrules`` and ``riskrules --help`` load no heavy package.

A service imports riskrules for ``Engine``; a reviewer types ``riskrules --help``:
neither should pay for polars, scikit-learn or textual (seconds of start-up on every
CLI call). Each case runs in a fresh interpreter and asserts on ``sys.modules``,
never on time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("polars", "pyarrow", "numpy", "pandas", "scipy", "sklearn", "joblib", "networkx",
         "textual", "sqlalchemy", "sqlmodel", "alembic")

IMPORT = "import riskrules"
CLI = """
import sys
sys.argv = ["riskrules", *{args!r}]
from riskrules.cli import main
try:
    main()
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
"""
REPORT = """
import json, sys
print("\\nLOADED=" + json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def loaded_after(code: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-c", code + REPORT.format(heavy=HEAVY)], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    last = run.stdout.rstrip().rsplit("\n", 1)[-1]
    assert last.startswith("LOADED="), run.stdout
    return json.loads(last.removeprefix("LOADED="))


def test_import_riskrules_loads_no_heavy_package():
    assert loaded_after(IMPORT) == []


def test_the_public_names_still_resolve():
    code = IMPORT + "\nfrom riskrules import Engine, Decision, InputError, RulesetError, Diagnostic, check\n"
    assert "polars" in loaded_after(code)  # the engine itself does load them: the check above can fail


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["backtest", "--help"], ["queue", "--help"],
                                  ["review", "--help"]], ids=" ".join)
def test_cli_help_loads_no_heavy_package(args):
    assert loaded_after(CLI.format(args=args)) == []
