"""The JSON Schema of ruleset test files (``riskrules schema --kind tests``).

The runner (:mod:`.testing`) checks test files itself, case by case, so one broken
case never hides the others; these models describe the same format for editors and
CI linters. ``Expect`` names exactly the runner's ``EXPECT_KEYS`` (a test holds them
together).

>>> json_schema()["title"]
'riskrules ruleset tests'
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_RULE_IDS = "rule ids"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreRange(_Strict):
    min: float | None = None
    max: float | None = None


class Expect(_Strict):
    """What a case expects; every key is optional, at least one is needed."""

    outcome: str | None = Field(None, description="the decided outcome (approve, review, decline or a custom one)")
    fired: list[str] | None = Field(None, description=f"{_RULE_IDS} that fire (others may too)")
    not_fired: list[str] | None = Field(None, description=f"{_RULE_IDS} that do not fire")
    fired_exactly: list[str] | None = Field(None, description="exactly these active rules fire")
    reasons: list[str] | None = Field(None, description="the first reason codes, in order ([] = no reasons at all)")
    score: float | ScoreRange | None = Field(None, description="the blended score, or bounds on it")
    tables: dict[str, dict[str, Any]] | None = Field(None, description="table -> {output: value}")
    shadow_fired: list[str] | None = Field(None, description="shadow rules that fire")
    unexplained: bool | None = Field(None, description="whether the review block's unexplained holds")
    errors: int | None = Field(None, ge=0, description="how many rule faults")
    input_error: list[str] | None = Field(None, min_length=1,
                                          description="the input must be rejected, naming these fields")


class Case(_Strict):
    name: str | None = None
    now: dt.datetime | None = Field(None, description="decision time of this case (default: the file's now)")
    input: dict[str, Any] | None = Field(None, description="deep-merged onto base; a null deletes a key")
    expect: Expect


class RulesetTestsFile(_Strict):
    """A ruleset test file (YAML): a shared base input and cases (docs/testing.md)."""

    model_config = ConfigDict(extra="forbid", title="riskrules ruleset tests")

    now: dt.datetime | None = Field(None, description="decision time of every case, ISO 8601 (naive = UTC)")
    base: dict[str, Any] | None = Field(None, description="the input every case starts from")
    cases: list[Case]


def json_schema() -> dict:
    schema = RulesetTestsFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
