"""``riskrules intent``: retrain the message-intent model with reviewers' corrections."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app
from .render import _fail, err

intent_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                         help="Message intent: retrain the classifier.")
app.add_typer(intent_app, name="intent", help="Message intent: retrain the classifier with reviewers' corrections.")


@intent_app.command("train")
def train(out: Annotated[Path, typer.Option("--out", help="where to write the new model (JSON, no pickle)")],
          extra: Annotated[Optional[list[Path]], typer.Option(help="reviewers' corrections: JSONL of text + intent "
                                                              "(+ subtype); repeatable")] = None,
          corpus: Annotated[Optional[Path], typer.Option(help="labelled JSONL (default: the shipped corpus)")] = None) -> None:
    """Train a new versioned intent model from the corpus plus corrections (docs/text_intent.md)."""
    from ..text.train import load_corpus, train as fit, write_model

    try:
        rows = load_corpus(corpus)
        corrections = [row for p in extra or () for row in load_corpus(p)]
        model = fit(rows, corrections)
        write_model(model, out)
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        raise _fail(str(exc).strip()) from None
    err.print(f"{model['version']}: {model['metadata']['rows']} rows, {model['metadata']['features']} features -> {out}")
