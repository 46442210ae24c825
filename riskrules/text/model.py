"""The intent model as plain JSON (no pickle): vocabulary, idf, coefficients per class.

Inference is a sparse dot product written here so that classifying loads neither
scikit-learn nor anything from disk beyond this file; training (train.py) uses
scikit-learn and writes the same numbers.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

FORMAT = "riskrules.text.intent-model/1"
MODEL_FILE = "data/intent_model.json"


@dataclass(frozen=True, eq=False)
class LinearHead:
    """Softmax over classes from a weight row per vocabulary entry."""

    classes: tuple[str, ...]
    weights: np.ndarray        # (n_features, n_classes)
    intercept: np.ndarray      # (n_classes,)

    @classmethod
    def from_json(cls, data: dict, n_features: int) -> "LinearHead":
        coef = np.asarray(data["coef"], dtype=np.float64)  # (n_classes, n_features) or (1, n)
        classes = tuple(data["classes"])
        intercept = np.asarray(data["intercept"], dtype=np.float64)
        if len(classes) == 2 and coef.shape[0] == 1:   # sklearn's binary form
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        assert coef.shape == (len(classes), n_features), "model file: coefficient shape"
        return cls(classes, np.ascontiguousarray(coef.T), intercept)

    def probabilities(self, index: np.ndarray, values: np.ndarray) -> np.ndarray:
        scores = self.intercept + values @ self.weights[index]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


@dataclass(frozen=True, eq=False)
class IntentModel:
    version: str
    corpus_digest: str
    lexicon_version: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    intent: LinearHead
    subtypes: dict[str, LinearHead]
    metadata: dict

    @classmethod
    def from_json(cls, data: dict) -> "IntentModel":
        if data.get("format") != FORMAT:
            raise ValueError(f"not an intent model file (format {data.get('format')!r})")
        vocabulary = {t: i for i, t in enumerate(data["vocabulary"])}
        n = len(vocabulary)
        return cls(data["version"], data["corpus_digest"], data["lexicon_version"], vocabulary,
                   np.asarray(data["idf"], dtype=np.float64),
                   LinearHead.from_json(data["intent"], n),
                   {k: LinearHead.from_json(v, n) for k, v in data["subtypes"].items()},
                   data.get("metadata", {}))

    def vectorise(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sublinear tf x idf, l2-normalised: what TfidfVectorizer(sublinear_tf=True) does."""
        counts: dict[int, int] = {}
        for token in tokens:
            i = self.vocabulary.get(token)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        index = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64,
                         count=len(counts))
        values = tf * self.idf[index]
        norm = math.sqrt(float(values @ values))
        return index, values / norm if norm else values


def load_model(path: str | Path | None = None) -> IntentModel:
    """The shipped model, or one written by ``train`` at ``path``."""
    if path is None:
        return _shipped()
    return IntentModel.from_json(json.loads(Path(path).read_text("utf-8")))


@lru_cache(maxsize=1)
def _shipped() -> IntentModel:
    raw = resources.files("riskrules.text").joinpath(MODEL_FILE).read_text("utf-8")
    return IntentModel.from_json(json.loads(raw))
