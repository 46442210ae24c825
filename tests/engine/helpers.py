"""Test helpers: build an Engine from an in-memory ruleset mapping."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from riskrules import Engine


def deep_merge(base, patch):
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for k, v in patch.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def write_ruleset(tmp: Path, ruleset: dict, name: str = "ruleset.yaml") -> Path:
    p = tmp / name
    p.write_text(yaml.safe_dump(ruleset, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def engine_from(tmp: Path, ruleset: dict) -> Engine:
    return Engine.load(write_ruleset(tmp, ruleset))
