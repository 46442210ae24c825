"""Build the AST from a composed, validated YAML ruleset.

Each section item is validated on its own, so one bad rule does not hide the
expression errors of the others; every expression is parsed from its YAML
scalar with a locator that points at the exact character in the file.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from pydantic import TypeAdapter, ValidationError
from yaml.nodes import MappingNode, ScalarNode

from .._common.time import assume_utc
from . import ast as A
from . import literals as L
from . import yaml_models as M
from .diagnostics import Diagnostic, error
from .parser import parse_located
from .resources import Files, load_list_file
from .schema import fields_from_yaml, schema_from_file
from .yaml_errors import validation_diagnostics
from .yaml_safe import YamlDoc

_FEATURE = TypeAdapter(M.Feature)
_LIST = TypeAdapter(M.ListSpec)
_INCLUDES = TypeAdapter(list[str])

#: ``include(relative, base_file, at) -> (rules, diagnostics)``: the loader's, for both formats
Include = Callable[[str, str, A.Span], tuple[list[A.Rule], list[Diagnostic]]]


class YamlBuilder:
    """Turns one YAML document into AST parts, collecting diagnostics.

    Files it names are read through ``files``; ``include`` loads an ``include:`` entry
    (None for an included file, which may hold only rules).
    """

    def __init__(self, doc: YamlDoc, files: Files, include: Include | None = None) -> None:
        self.doc = doc
        self.files = files
        self.include = include
        self.diags: list[Diagnostic] = []
        self.data = doc.data if isinstance(doc.data, dict) else {}

    # -- helpers -------------------------------------------------------------
    def span(self, *path) -> A.Span:
        return self.doc.span_at(path)

    def key_span(self, *path) -> A.Span:
        return self.doc.key_span_at(path)

    def parse(self, path: tuple, start: str = "expr_start") -> A.Expr | None:
        node = self.doc.nodes.get(path)
        if not isinstance(node, ScalarNode):
            return None
        result, problems = parse_located(node.value, start, self.doc.scalar_locator(node))
        self.diags += problems
        return result

    def text(self, path: tuple, value):
        """A word as written: ``version: 1.10`` or ``id: 007`` would otherwise come back as numbers."""
        node = self.doc.nodes.get(path)
        if isinstance(value, str) and isinstance(node, ScalarNode) and not node.tag.endswith(":str"):
            return node.value
        return value

    def literal(self, path: tuple) -> A.Literal | None:
        """A literal from a YAML scalar's own type (numbers, booleans, null, dates, text)."""
        node = self.doc.nodes[path]
        return yaml_literal(self.doc.value_at(path), self.doc.span(node), node.value, self.diags)

    def valid(self, adapter, value) -> Any:
        try:
            return adapter.validate_python(value)
        except ValidationError:
            return None  # reported by the whole-file validation

    def entries(self, key: str, model) -> list[tuple[Any, Any]]:
        """(name or index, validated item) for the valid items of a section."""
        section = self.data.get(key)
        adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
        pairs = section.items() if isinstance(section, dict) else enumerate(section) if isinstance(section, list) else ()
        out = []
        for k, raw in pairs:
            item = self.valid(adapter, raw)
            if item is not None:
                out.append((k, item))
        return out

    # -- sections ------------------------------------------------------------
    def lists(self) -> tuple[A.ListDef, ...]:
        out = []
        for name, spec in self.entries("lists", _LIST):
            span = self.key_span("lists", name)
            if isinstance(spec, str):
                items, problems = load_list_file(spec, self.doc.file, self.files, self.span("lists", name))
                self.diags += problems
                out.append(A.ListDef(name, items, span, path=spec))
            else:
                items = tuple(self.literal(("lists", name, i)) for i in range(len(spec)))
                out.append(A.ListDef(name, tuple(i for i in items if i is not None), span))
        return tuple(out)

    def features(self) -> tuple[A.Feature, ...]:
        out = []
        for name, spec in self.entries("features", _FEATURE):
            if isinstance(spec, M.FeatureSpec):
                expr, description = self.parse(("features", name, "expr")), spec.description
            else:
                expr, description = self.parse(("features", name)), ""
            if expr is not None:
                out.append(A.Feature(name, expr, self.key_span("features", name), description))
        return tuple(out)

    def models(self) -> tuple[A.ModelRef, ...]:
        out = []
        for name, spec in self.entries("models", M.ModelSpec):
            inputs = []
            for feature in spec.inputs:
                expr = self.parse(("models", name, "inputs", feature))
                if expr is not None:
                    inputs.append(A.ModelInput(feature, expr, self.key_span("models", name, "inputs", feature)))
            out.append(A.ModelRef(name, spec.type, spec.path, tuple(inputs), self.key_span("models", name),
                                  version=spec.version, description=spec.description))
        return tuple(out)

    def outcomes(self) -> tuple[A.OutcomeDef, ...]:
        return tuple(A.OutcomeDef(name, spec.severity, spec.adverse, self.key_span("outcomes", name))
                     for name, spec in self.entries("outcomes", M.OutcomeSpec))

    def rules(self) -> tuple[A.Rule, ...]:
        out = []
        for i, spec in self.entries("rules", M.RuleSpec):
            when = self.parse(("rules", i, "when"))
            if when is None:
                continue
            at = ("rules", i)
            out.append(A.Rule(
                id=self.text(at + ("id",), spec.id), when=when, span=self.span(*at), name=spec.name,
                action=spec.action, reason=self.text(at + ("reason",), spec.reason), severity=spec.severity, score=spec.score, priority=spec.priority,
                status=spec.status, tags=tuple(spec.tags), description=spec.description,
                provenance=tuple((k, _frozen(v)) for k, v in spec.provenance.items()),
                id_span=self.span("rules", i, "id"),
                action_span=self.span("rules", i, "action") if spec.action is not None else None,
            ))
        return tuple(out)

    def tables(self) -> tuple[A.Table, ...]:
        out = []
        for name, spec in self.entries("tables", M.TableSpec):
            base = ("tables", name)
            inputs = tuple(self.parse(base + ("inputs", i)) for i in range(len(spec.inputs)))
            rows = tuple(self.row(base + ("rows", r), row) for r, row in enumerate(spec.rows))
            default = None if spec.default is None else self.outputs(base + ("default",))
            values = ()
            if isinstance(spec.outputs, dict) and any(v is not None for v in spec.outputs.values()):
                values = tuple(None if v is None else self.outputs(base + ("outputs", o, "values"))
                               for o, v in spec.outputs.items())
            out.append(A.Table(name, spec.hit, inputs, tuple(spec.outputs), rows, self.key_span(*base),
                               aggregate=spec.aggregate, default=default, description=spec.description,
                               output_values=values))
        return tuple(out)

    def row(self, path: tuple, spec: M.RowSpec) -> A.TableRow:
        when = path + ("when",)
        paths = [when + (i,) for i in range(len(spec.when))] if isinstance(spec.when, list) else [when]
        cells = tuple(self.cell(p) for p in paths)
        return A.TableRow(cells, self.outputs(path + ("then",)), self.span(*path), priority=spec.priority)

    def cell(self, path: tuple) -> A.Expr | None:
        node = self.doc.nodes[path]
        if node.tag.endswith(":null"):  # `when: [null]` tests for equality with null
            return A.Binary("==", A.Placeholder(self.doc.span(node)), A.Literal(None, "null", self.doc.span(node), "null"),
                            self.doc.span(node))
        return self.parse(path, "cell_start")

    def outputs(self, path: tuple) -> tuple[A.Expr, ...]:
        value = self.doc.value_at(path)
        paths = [path + (i,) for i in range(len(value))] if isinstance(value, list) else [path]
        return tuple(self.output(p) for p in paths)

    def output(self, path: tuple) -> A.Expr | None:
        """Numbers, booleans and null are literals; text is an expression (``"'gold'"``)."""
        node = self.doc.nodes[path]
        if node.tag.endswith(":str"):
            return self.parse(path)
        return self.literal(path)

    def decision(self) -> A.DecisionBlock | None:
        spec = self.valid(TypeAdapter(M.DecisionSpec), self.data.get("decision"))
        if spec is None:
            return None
        bands = tuple(A.Band(b.min, b.outcome, self.span("decision", "bands", i), b.reason)
                      for i, b in enumerate(spec.bands))
        score = self.parse(("decision", "score")) if spec.score is not None else None
        return A.DecisionBlock(spec.policy, self.key_span("decision"), score=score, bands=bands, default=spec.default)

    def decision_time(self) -> A.Name | None:
        """``decision_time: application.submitted_at``: a field path (the checker finds the field)."""
        if not isinstance(self.data.get("decision_time"), str):
            return None  # absent, or not text (reported by the file's validation)
        path = self.parse(("decision_time",))
        if path is not None and not isinstance(path, A.Name):
            self.diags.append(error("E115", "decision_time must be a field path such as application.submitted_at",
                                    self.span("decision_time")))
            return None
        return path

    def review(self) -> A.ReviewBlock | None:
        spec = self.valid(TypeAdapter(M.ReviewSpec), self.data.get("review"))
        if spec is None:
            return None
        unexplained = self.parse(("review", "unexplained")) if spec.unexplained is not None else None
        fields = {k: self.parse(("review", k)) for k in ("amount", "id") if getattr(spec, k) is not None}
        return A.ReviewBlock(self.key_span("review"), unexplained=unexplained, anomaly_threshold=spec.anomaly_threshold,
                             anomaly_model=spec.anomaly_model, sla_hours=spec.sla_hours, **fields)

    def schema(self) -> A.Schema:
        value = self.data.get("schema")
        if isinstance(value, str):
            schema, problems = schema_from_file(value, self.doc.file, self.files, self.span("schema"))
            self.diags += problems
            return schema
        node = self.doc.nodes.get(("schema",))
        if isinstance(node, MappingNode):
            fields, problems = fields_from_yaml(self.doc, node)
            self.diags += problems
            return A.Schema(fields, self.key_span("schema"))
        return A.Schema((), self.doc.span(self.doc.root) if self.doc.root else A.Span.unknown(self.doc.file))

    def includes(self) -> tuple[tuple[str, ...], tuple[A.Rule, ...]]:
        paths = self.valid(_INCLUDES, self.data.get("include", [])) or []
        rules: list[A.Rule] = []
        for i, relative in enumerate(paths if self.include is not None else ()):
            found, problems = self.include(relative, self.doc.file, self.span("include", i))
            self.diags += problems
            rules += found
        return tuple(paths), tuple(rules)


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def yaml_literal(value, span: A.Span, text: str, diags: list[Diagnostic]) -> A.Literal | None:
    """A Literal for a value PyYAML constructed from a scalar."""
    kind = L.literal_kind(value)
    if kind == "number" and not math.isfinite(value):
        diags.append(error("E115", f"{text} is not a usable number", span))
        return None
    if kind == "datetime":
        value = assume_utc(value)
    elif kind == "string":
        value = str(value)
    return A.Literal(value, kind, span, text)


def validate_file(doc: YamlDoc, model) -> tuple[Any, list[Diagnostic]]:
    """Validate the whole document against ``model``; return (instance or None, diagnostics)."""
    if not isinstance(doc.data, dict):
        what = "a ruleset" if model is M.RulesetFile else "an included rules file"
        span = doc.span(doc.root) if doc.root is not None else A.Span.unknown(doc.file)
        return None, [error("E115", f"{what} must be a YAML mapping", span)]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        schema = model.model_json_schema(by_alias=True)
        return None, validation_diagnostics(exc, doc, schema)
