"""The owned cue lexicon: phrases that signal an intent, with negation and its scope.

The lexicon is data (data/lexicon.yaml, versioned); this module only reads and matches
it. Matching is one alternation of escaped literals, longest first, so it cannot
backtrack badly; the spans are character offsets into the text as given, for the
review TUI to highlight.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

_LATIN = re.compile(r"[a-z0-9']")


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexicon phrase found in a message. ``labels`` are "intent" or "intent/subtype"."""

    text: str
    start: int
    end: int
    labels: tuple[str, ...]
    negated: bool = False

    def as_dict(self) -> dict:
        return {"text": self.text, "span": [self.start, self.end], "labels": list(self.labels),
                "negated": self.negated}


@dataclass(frozen=True, eq=False)  # identity hash: one lexicon, one segmenter
class Lexicon:
    version: str
    labels: dict[str, tuple[str, ...]]          # phrase -> labels
    negators: tuple[str, ...]
    scope_zh: int
    scope_en: int
    clause_breaks: str
    resistance: dict[str, float]
    pattern: re.Pattern

    @classmethod
    def from_mapping(cls, data: dict) -> "Lexicon":
        labels: dict[str, list[str]] = {}
        for label, by_lang in data["cues"].items():
            for phrases in by_lang.values():
                for phrase in phrases:
                    key = str(phrase).lower()
                    labels.setdefault(key, [])
                    if label not in labels[key]:
                        labels[key].append(label)
        resistance = {str(k).lower(): float(v) for lang in data.get("resistance", {}).values()
                      for k, v in lang.items()}
        negators = tuple(str(n).lower() for lang in data["negators"].values() for n in lang)
        phrases = sorted(set(labels) | set(resistance), key=len, reverse=True)
        pattern = re.compile("|".join(_phrase_regex(p) for p in phrases))
        return cls(str(data["version"]), {k: tuple(v) for k, v in labels.items()},
                   tuple(sorted(negators, key=len, reverse=True)), int(data["scope"]["zh"]),
                   int(data["scope"]["en"]), data["clause_breaks"], resistance, pattern)

    def match(self, text: str) -> list[Cue]:
        """Cues in ``text`` (already lower-cased, same length as the original)."""
        cues: list[Cue] = []
        previous_end = 0
        for m in self.pattern.finditer(text):
            phrase = m.group()
            negated = self._negated(text, max(previous_end, 0), m.start())
            cues.append(Cue(phrase, m.start(), m.end(), self.labels.get(phrase, ()), negated))
            previous_end = m.end()
        return cues

    def _negated(self, text: str, floor: int, start: int) -> bool:
        """A negator in the same clause shortly before ``start``, not inside an earlier cue."""
        clause_start = floor
        for i in range(start - 1, floor - 1, -1):
            if text[i] in self.clause_breaks:
                clause_start = i + 1
                break
        before = text[clause_start:start]
        if not before:
            return False
        if _LATIN.search(before[-2:] if len(before) > 1 else before):
            words = re.findall(r"[a-z']+", before)[-self.scope_en:]
            joined = " ".join(words)
            return any(re.search(rf"(?<![a-z']){re.escape(n)}(?![a-z'])", joined)
                       for n in self.negators if _LATIN.match(n))
        window = before[-self.scope_zh:]
        return any(n in window for n in self.negators if not _LATIN.match(n))

    def resistance_of(self, cues: list[Cue]) -> float:
        return sum(self.resistance.get(c.text, 0.0) * (-0.5 if c.negated else 1.0) for c in cues)


def _phrase_regex(phrase: str) -> str:
    escaped = re.escape(phrase)
    if _LATIN.match(phrase[0]):
        escaped = r"(?<![a-z])" + escaped
    if _LATIN.match(phrase[-1]):
        escaped += r"(?![a-z])"
    return escaped


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped in riskrules/text/data/lexicon.yaml."""
    raw = resources.files("riskrules.text").joinpath("data/lexicon.yaml").read_text("utf-8")
    return Lexicon.from_mapping(yaml.safe_load(raw))
