"""Pydantic models of the YAML ruleset format (``extra="forbid"``).

They validate the shape of a ruleset file (unknown keys, missing keys, wrong
value types) and export the JSON Schema used by ``riskrules schema`` and by
editors for completion. Expressions are plain strings here; the parser turns
them into AST nodes with exact positions (see :mod:`riskrules.dsl.yaml_build`).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from typing_extensions import TypeAliasType


def _scalar_text(value: Any) -> Any:
    """YAML reads ``when: true`` or ``score: 0.5`` as a bool/number; as expressions they are text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


Expression = Annotated[
    str,
    BeforeValidator(_scalar_text),
    Field(json_schema_extra={"x-riskrules": "expression"}, description="an expression (docs/language.md)"),
]
Cell = Annotated[
    Union[str, int, float, bool, None],
    Field(description="a decision-table cell: -, < 0.05, [1..5), \"A\", \"B\", not(\"A\"), is missing"),
]
Output = Annotated[
    Union[int, float, bool, None, str],
    Field(description="a number, boolean or null literal, or an expression string"),
]
#: a number every backend can represent: no NaN or infinity (a NaN score poisons every sum)
Finite = Annotated[float, Field(allow_inf_nan=False)]
#: severities and priorities are ranks: int64, like the batch backend's columns
Rank = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
ListItem = Union[bool, int, float, str, dt.datetime, dt.date]
ProvenanceValue = Union[bool, int, float, str, None, dt.datetime, dt.date, list[Union[bool, int, float, str, None, dt.datetime, dt.date]]]

#: a schema: field name (``name?`` for an optional object) -> type text or nested mapping
SchemaFields = TypeAliasType("SchemaFields", dict[str, Union[str, "SchemaFields"]])  # type: ignore[misc]


def _is_mapping(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "text"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, populate_by_name=True)


class FeatureSpec(_Model):
    expr: Expression
    description: str = ""


Feature = Annotated[
    Union[Annotated[Expression, Tag("text")], Annotated[FeatureSpec, Tag("mapping")]],
    Discriminator(_is_mapping),
]


class ModelSpec(_Model):
    type: str  # a registered model kind (the checker knows them: scorecard, sklearn, …)
    path: str
    version: str = ""
    description: str = ""
    inputs: dict[str, Expression] = {}


class OutcomeSpec(_Model):
    severity: Rank
    adverse: bool = False


class RuleSpec(_Model):
    id: str
    name: str = ""
    when: Expression
    action: str | None = None
    reason: str | None = None
    severity: Rank | None = None
    score: Finite = 0.0
    priority: Rank = 0
    status: Literal["active", "shadow", "disabled"] = "active"
    tags: list[str] = []
    description: str = ""
    provenance: dict[str, ProvenanceValue] = {}


class RowSpec(_Model):
    when: Union[list[Cell], Cell] = Field(description="one cell per table input")
    then: Union[list[Output], Output] = Field(description="one value per table output")
    priority: Rank = 0


class OutputSpec(_Model):
    values: list[Output] = Field(description="the output's allowed values, highest priority first "
                                             "(hit policies priority and output_order rank by them)")


class TableSpec(_Model):
    hit: Literal["unique", "any", "first", "priority", "rule_order", "output_order", "collect"]
    aggregate: Literal["sum", "min", "max", "count"] | None = None
    inputs: list[Expression]
    outputs: Union[list[str], dict[str, Union[OutputSpec, None]]] = Field(
        description="output names, or a mapping of each name to {values: [...]} (or null)")
    rows: list[RowSpec] = []
    default: Union[list[Output], Output] = None
    description: str = ""


class BandSpec(_Model):
    min: Finite | None = None
    outcome: str
    reason: str | None = None


class DecisionSpec(_Model):
    policy: Literal["first_match", "worst", "score"]
    score: Expression | None = None
    default: str = "approve"
    bands: list[BandSpec] = []


class ReviewSpec(_Model):
    unexplained: Expression | None = None
    sla_hours: Finite = 24.0
    anomaly_threshold: Finite | None = None
    anomaly_model: str | None = None
    amount: Expression | None = Field(None, description="the input field holding the amount at stake "
                                      "(review priority), e.g. application.amount")
    id: Expression | None = Field(None, description="the input field naming the application, which outcome "
                                  "files match on, e.g. application.id")


ListSpec = Annotated[
    Union[Annotated[str, Tag("path")], Annotated[list[ListItem], Tag("items")]],
    Discriminator(lambda v: "items" if isinstance(v, list) else "path"),
    Field(description="a file (one item per line, # comments) or inline items"),
]
SchemaSpec = Annotated[
    Union[Annotated[str, Tag("path")], Annotated[SchemaFields, Tag("mapping")]],
    Discriminator(lambda v: "mapping" if isinstance(v, dict) else "path"),
    Field(description="a schema file, or the fields inline"),
]


class RulesetFile(_Model):
    """A ruleset YAML file."""

    model_config = ConfigDict(title="riskrules ruleset")

    ruleset: str
    version: str
    description: str = ""
    on_error: str = "review"
    decision_time: str | None = Field(None, description="the input field (a datetime) every decision is taken as of")
    schema_: SchemaSpec | None = Field(None, alias="schema")
    lists: dict[str, ListSpec] = {}
    features: dict[str, Feature] = {}
    models: dict[str, ModelSpec] = {}
    outcomes: dict[str, OutcomeSpec] = {}
    rules: list[RuleSpec] = []
    tables: dict[str, TableSpec] = {}
    decision: DecisionSpec | None = None
    review: ReviewSpec | None = None
    include: list[str] = []
    tests: str | None = None


class IncludeFile(_Model):
    """A file named by ``include:`` — more rules and nothing else (e.g. learned.yaml)."""

    model_config = ConfigDict(title="riskrules included rules")

    rules: list[RuleSpec] = []


def json_schema() -> dict:
    """The JSON Schema of ruleset YAML files, for ``riskrules schema`` and editors.

    >>> json_schema()["title"]
    'riskrules ruleset'
    """
    schema = RulesetFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
