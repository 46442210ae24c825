"""``riskrules model``: train a scorecard from a labelled table (optbinning)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import FormatOpt, app
from .render import _fail, _format, _json, out

model_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="Models that keep learning: train a scorecard.")
app.add_typer(model_app, name="model", help="Models: train a WOE scorecard (optbinning) into riskrules' format.")


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


@model_app.command("train")
def train(data: Path,
          label: Annotated[str, typer.Option(help="the label column: 1/true/bad, 0/false/good (or --bad-value)")],
          out_path: Annotated[Path, typer.Option("--out", help="the scorecard YAML to write")],
          name: Annotated[str, typer.Option(help="the model's name in the file")] = "pd",
          version: Annotated[str, typer.Option(help="the model version")] = "1.0.0",
          features: Annotated[Optional[str], typer.Option(help="columns to train on, comma-separated (default: all)")] = None,
          protected: Annotated[Optional[str], typer.Option(help="protected attributes, comma-separated: never used")] = None,
          allow_protected: Annotated[bool, typer.Option("--allow-protected", help="a documented exception: let "
                                                        "protected attributes in")] = False,
          trend: Annotated[Optional[list[str]], typer.Option(help="COLUMN=ascending|descending|auto|peak|valley…, "
                                                             "the bad rate's trend across bins (repeatable)")] = None,
          bad_value: Annotated[Optional[str], typer.Option("--bad-value", help="the label value meaning bad (e.g. 2)")] = None,
          good_value: Annotated[Optional[str], typer.Option("--good-value", help="the label value meaning good")] = None,
          test_size: Annotated[float, typer.Option(help="held-out share for AUC/KS")] = 0.3,
          seed: Annotated[int, typer.Option(help="split seed")] = 0,
          points: Annotated[float, typer.Option(help="points at --odds")] = 600.0,
          odds: Annotated[float, typer.Option(help="good:bad odds at --points")] = 50.0,
          pdo: Annotated[float, typer.Option(help="points to double the odds")] = 20.0,
          format: FormatOpt = "text") -> None:
    """Train a WOE scorecard on DATA (Parquet, CSV, JSONL) and write the YAML riskrules loads."""
    _format(format)
    from ..data import DataError, load_data
    from ..modeling.train import TrainingError, train_scorecard

    trends = {}
    for item in trend or ():
        col, sep, how = item.partition("=")
        if not sep or not col.strip():
            raise _fail(f"--trend takes COLUMN=TREND, got {item!r}", 2)
        trends[col.strip()] = how.strip()
    try:
        df = load_data(data, label=label, bad_value=bad_value, good_value=good_value)
    except DataError as exc:
        raise _fail(str(exc)) from None
    y = df[label]
    if y.null_count():
        raise _fail(f"{data}: {y.null_count()} row(s) have no label in {label!r}; drop or label them")
    try:
        card = train_scorecard(df.drop(label), y.cast(int), name=name, version=version, features=_names(features),
                               protected=_names(protected) or (), allow_protected=allow_protected, trends=trends,
                               base_points=points, base_odds=odds, pdo=pdo, test_size=test_size, seed=seed,
                               label_name=label)
        card.write(out_path)
    except TrainingError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"{out_path}: cannot write: {exc.strerror or exc}") from None
    report = card.report()
    if format == "json":
        _json(report)
        return
    m = report["metrics"]
    out.print(f"wrote {out_path}: {len(report['features'])} features, held-out AUC {m['test']['auc']:.3f}, "
              f"KS {m['test']['ks']:.3f} (train AUC {m['train']['auc']:.3f}; {m['rows']} rows, {m['bads']} bad)")
    for f in sorted(report["features"], key=lambda f: -f["iv"]):
        out.print(f"  {f['name']}: IV {f['iv']:.3f}, {f['bins']} bins")
    for name_, why in report["excluded"].items():
        out.print(f"  left out {name_}: {why}")
    for warning in report["lint"]:
        out.print(f"  lint: {warning}")
