"""Train the intent model from the shipped corpus plus reviewers' corrections.

    python -m riskrules.text.train                       # rewrite the shipped model
    python -m riskrules.text.train --extra fixes.jsonl --out model.json

A correction row is {"text": ..., "intent": ..., "subtype": null}: it becomes a labelled
row, and the new model's version names the digest of everything it learnt from.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from riskrules._common.files import write_atomic
from riskrules.text.features import analyse
from riskrules.text.labels import INTENTS, SUBTYPES
from riskrules.text.lexicon import Lexicon, default_lexicon
from riskrules.text.model import FORMAT, MODEL_FILE
from riskrules.text.normalize import as_text, detect_lang, fold

MODEL_VERSION = "1.0.0"
SUBTYPED = tuple(SUBTYPES)
SEED = 20261202


def load_corpus(path: str | Path | None = None) -> list[dict]:
    """Rows of the labelled corpus (the shipped one unless ``path`` is given)."""
    if path is None:
        raw = resources.files("riskrules.text").joinpath("data/corpus.jsonl").read_text("utf-8")
    else:
        raw = Path(path).read_text("utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def corpus_digest(rows: Iterable[dict]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps([row["text"], row["intent"], row.get("subtype")],
                            ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def tokens_of(text: str, lexicon: Lexicon) -> list[str]:
    raw, _ = as_text(text)
    folded = fold(raw)
    return analyse(folded, detect_lang(folded), lexicon, lexicon.match(folded))


def _row_problems(row: dict) -> list[str]:
    """Every reason a labelled row (a corpus row or a reviewer's correction) is unusable."""
    problems = []
    if not isinstance(row.get("text"), str) or not row["text"].strip():
        problems.append("text is missing or blank")
    intent, subtype = row.get("intent"), row.get("subtype")
    if intent not in INTENTS:
        problems.append(f"intent {intent!r} is not one of {', '.join(INTENTS)}")
    elif subtype is not None and subtype not in SUBTYPES.get(intent, ()):
        problems.append(f"subtype {subtype!r} is not a subtype of {intent}")
    return problems


def _head(clf, rounding: int = 6) -> dict:
    return {"classes": [str(c) for c in clf.classes_],
            "coef": [[round(float(x), rounding) for x in row] for row in clf.coef_],
            "intercept": [round(float(x), rounding) for x in clf.intercept_]}


def train(corpus_rows: Iterable[dict], extra_rows: Iterable[dict] = (), *,
          lexicon: Lexicon | None = None, c: float = 10.0) -> dict:
    """A model (as JSON-ready dict) trained on ``corpus_rows`` and ``extra_rows``.

    >>> model = train(load_corpus())                         # doctest: +SKIP
    >>> model["version"]                                    # doctest: +SKIP
    '1.0.0+3f9a…'
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    lexicon = lexicon or default_lexicon()
    base = [dict(r) for r in corpus_rows]
    extra = [dict(r) for r in extra_rows]
    problems = [f"row {i}: {p}" for i, row in enumerate(base + extra) for p in _row_problems(row)]
    if problems:
        raise ValueError("bad training rows:\n" + "\n".join(problems))
    rows = base + extra
    digest = corpus_digest(rows)
    docs = [tokens_of(r["text"], lexicon) for r in rows]
    vectoriser = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2)
    x = vectoriser.fit_transform(docs)
    intents = [r["intent"] for r in rows]
    head = LogisticRegression(C=c, solver="newton-cg", max_iter=500, class_weight="balanced").fit(x, intents)
    subtypes = {}
    for intent in SUBTYPED:
        picked = [i for i, r in enumerate(rows) if r["intent"] == intent]
        labels = [rows[i].get("subtype") or "none" for i in picked]
        if len(set(labels)) > 1:
            sub = LogisticRegression(C=c, solver="newton-cg", max_iter=500, class_weight="balanced")
            subtypes[intent] = _head(sub.fit(x[picked], labels))
    vocabulary = vectoriser.get_feature_names_out().tolist()
    return {"format": FORMAT, "version": f"{MODEL_VERSION}+{digest[:12]}",
            "corpus_digest": digest, "lexicon_version": lexicon.version,
            "metadata": {"rows": len(rows), "extra_rows": len(extra), "C": c,
                         "features": len(vocabulary)},
            "vocabulary": vocabulary,
            "idf": [round(float(v), 6) for v in vectoriser.idf_],
            "intent": _head(head), "subtypes": subtypes}


def write_model(model: dict, path: Path) -> None:
    """Atomically, so a reader never sees half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(model, ensure_ascii=False, separators=(",", ":")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="riskrules intent train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="labelled JSONL (default: the shipped corpus)")
    parser.add_argument("--extra", action="append", default=[],
                        help="reviewers' corrections, JSONL of text + intent (+ subtype)")
    parser.add_argument("--out", help="where to write the model (default: the shipped file)")
    args = parser.parse_args(argv)
    extra = [row for p in args.extra for row in load_corpus(p)]
    model = train(load_corpus(args.corpus), extra)
    out = Path(args.out) if args.out else Path(str(resources.files("riskrules.text"))) / MODEL_FILE
    write_model(model, out)
    print(f"{model['version']}  rows={model['metadata']['rows']}  "
          f"features={model['metadata']['features']}  -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
