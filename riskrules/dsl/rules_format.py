"""The ``.rules`` text format: parse a whole file into a :class:`~riskrules.dsl.ast.Ruleset`.

After a syntax error the parser resumes at the next line that starts (in
column 1) with an item keyword, so every broken item is reported, and the
items between errors are still checked for literal and limit problems.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable

from . import ast as A
from .comments import attach, collecting
from .diagnostics import Diagnostic, RulesetError, error
from .parser import parse_tree
from .positions import LineIndex, text_locator
from .resources import Files, load_list_file, normalise
from .rules_anchors import rules_anchors
from .rules_transform import Clause, RulesTransformer
from .schema import check_type_names, schema_from_file

_ITEM_START = re.compile(
    r"^(?:ruleset|version|description|on_error|decision_time|schema|input|list|feature|model|outcome|rule|table"
    r"|decision|review|include|tests)\b",
    re.MULTILINE,
)
#: syntax errors reported for one file before the rest is skipped
MAX_SYNTAX_ERRORS = 100


def build_rules_text(text: str, path: str, files: Files, include=None) -> A.Ruleset:
    """Build a ``.rules`` file's AST; files it names are read through ``files`` (see :mod:`.loader`).

    Raises :class:`RulesetError` with every diagnostic found.
    """
    sources = files.sources
    text = normalise(text)
    sources.add(path, text)
    with collecting() as found:
        clauses, problems = parse_clauses(text, path)
    if problems:
        raise RulesetError(problems, sources)
    assembler = Assembler(path, files, include)
    ruleset = assembler.ruleset(clauses, A.Span(path, 1, 1, *LineIndex(text).position(len(text))))
    if assembler.diags:
        raise RulesetError(assembler.diags, sources)
    ruleset.extra["comments"] = attach(found, rules_anchors(clauses), text.split("\n"))
    return ruleset


def included_rules(text: str, path: str, files: Files) -> tuple[list[A.Rule], list[Diagnostic]]:
    """The rules of a ``.rules`` file named by ``include`` (it may hold nothing else)."""
    clauses, problems = parse_clauses(text, path)
    if problems:
        return [], problems
    assembler = Assembler(path, files)
    rules = []
    for c in clauses:
        if c.kind == "rule":
            rule = assembler.rule(c)
            if rule is not None:
                rules.append(rule)
        else:
            assembler.diags.append(error("E113", f"an included file may only contain rules, not '{c.kind}'", c.span))
    return rules, assembler.diags


def parse_clauses(text: str, path: str) -> tuple[list[Clause], list[Diagnostic]]:
    """Top-level clauses of a ``.rules`` text, or every problem found in it.

    The whole text is parsed once. After a syntax error, every later item (a line
    starting in column 1 with an item keyword) is parsed on its own, so the work
    stays linear in the size of the text however many items are broken (resuming
    at each error and parsing to the end was quadratic: 8,000 broken lines took a
    minute). At most ``MAX_SYNTAX_ERRORS`` syntax errors are reported.
    """
    index = LineIndex(text)
    tree, problems, error_at = _parse_chunk(text, 0, len(text), path, index)
    if error_at is None:
        if problems:
            return [], problems
        locate = text_locator(path, text, index=index)
        return RulesTransformer(locate).transform(tree), []
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    broken = bisect.bisect_right(starts, error_at) - 1  # the item holding the first error
    if broken > 0:  # the items before the broken one still get their checks
        _, found, _ = _parse_chunk(text, 0, starts[broken], path, index)
        problems = [d for d in found if d.code != "E100"] + problems
    syntax_errors = 1
    for i in range(max(broken, 0) + 1, len(starts)):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        _, found, _ = _parse_chunk(text, starts[i], end, path, index)
        for d in found:
            if d.code == "E100":
                syntax_errors += 1
                if syntax_errors > MAX_SYNTAX_ERRORS:
                    problems.append(error(
                        "E100", f"too many syntax errors: the first {MAX_SYNTAX_ERRORS} are reported, "
                        "the rest of the file is not checked", d.span, hint="fix these and check again"))
                    return [], problems
            problems.append(d)
    return [], problems


def _parse_chunk(text: str, start: int, end: int, path: str, index: LineIndex):
    locate = text_locator(path, text, base=start, index=index)
    return parse_tree(text[start:end], "file", locate)


def _get(clauses: dict[str, Clause], kind: str, default=None):
    """The value of the clause of ``kind`` (from :meth:`Assembler.once`), else ``default``."""
    return clauses[kind].value if kind in clauses else default


class Assembler:
    """Clauses -> AST nodes; duplicates (E118) and omissions (E114) are reported.

    ``include`` is the loader's (see ``yaml_build.Include``); None in an included file.
    """

    def __init__(self, path: str, files: Files, include=None) -> None:
        self.path = path
        self.files = files
        self.sources = files.sources
        self.include = include
        self.diags: list[Diagnostic] = []

    def once(self, clauses: Iterable[Clause], where: str) -> dict[str, Clause]:
        """Clauses by kind; a repeated kind is an error (E118) and the first one wins."""
        seen: dict[str, Clause] = {}
        for c in clauses:
            if c.kind in seen:
                self.diags.append(error("E118", f"duplicate '{c.kind}'{where}", c.span))
            else:
                seen[c.kind] = c
        return seen

    def ruleset(self, clauses: list[Clause], span: A.Span) -> A.Ruleset:
        single = ("ruleset", "version", "description", "on_error", "decision_time", "tests", "decision", "review")
        head = self.once([c for c in clauses if c.kind in single], "")
        schemas = [c for c in clauses if c.kind in ("schema", "input")]
        for extra in schemas[1:]:
            self.diags.append(error("E118", "duplicate schema ('schema' or 'input' may appear once)", extra.span))
        for key in ("ruleset", "version"):
            if key not in head:
                self.diags.append(error("E114", f"missing '{key}'", A.Span(self.path, 1, 1, 1, 1)))
        includes = tuple(c.value for c in clauses if c.kind == "include")
        rules = [r for r in (self.rule(c) for c in clauses if c.kind == "rule") if r is not None]
        for c in clauses:
            if c.kind == "include" and self.include is not None:
                found, problems = self.include(c.value, self.path, c.span)
                rules += found
                self.diags += problems
        return A.Ruleset(
            name=_get(head, "ruleset", ""), version=_get(head, "version", ""), span=span,
            schema=self.schema(schemas[0] if schemas else None, span),
            description=_get(head, "description", ""), on_error=_get(head, "on_error", "review"),
            lists=tuple(self.list_def(c) for c in clauses if c.kind == "list"),
            features=tuple(c.value for c in clauses if c.kind == "feature"),
            models=tuple(self.model(c) for c in clauses if c.kind == "model"),
            outcomes=tuple(c.value for c in clauses if c.kind == "outcome"),
            rules=tuple(rules),
            tables=tuple(self.table(c) for c in clauses if c.kind == "table"),
            decision=self.decision(head["decision"]) if "decision" in head else None,
            review=self.review(head["review"]) if "review" in head else None,
            tests=_get(head, "tests"), includes=includes, source=self.path, extra={"sources": self.sources},
            decision_time=_get(head, "decision_time"),
        )

    def schema(self, c: Clause | None, span: A.Span) -> A.Schema:
        if c is None:
            return A.Schema((), span)
        if c.kind == "schema":
            schema, problems = schema_from_file(c.value, self.path, self.files, c.span)
            self.diags += problems
            return schema
        for f in c.value:
            self.diags += check_type_names(f.type)
        return A.Schema(c.value, c.span)

    def list_def(self, c: Clause) -> A.ListDef:
        d: A.ListDef = c.value
        if d.path is None:
            return d
        items, problems = load_list_file(d.path, self.path, self.files, c.span)
        self.diags += problems
        return A.ListDef(d.name, items, d.span, path=d.path)

    def model(self, c: Clause) -> A.ModelRef:
        name, name_span, kind, path, clauses, inputs = c.value
        opts = self.once(clauses, f" in model '{name}'")
        return A.ModelRef(name, kind, path, inputs, name_span,
                          version=_get(opts, "version", ""), description=_get(opts, "description", ""))

    def rule(self, c: Clause) -> A.Rule | None:
        rule_id, id_span, name, clauses = c.value
        opts = self.once(clauses, f" in rule '{rule_id}'")
        if "when" not in opts:
            self.diags.append(error("E114", f"rule '{rule_id}' has no 'when' condition", id_span))
            return None
        return A.Rule(
            id=rule_id, when=_get(opts, "when"), span=c.span, name=name, action=_get(opts, "then"),
            reason=_get(opts, "reason"), severity=_get(opts, "severity"), score=_get(opts, "score", 0.0),
            priority=_get(opts, "priority", 0), status=_get(opts, "status", "active"), tags=_get(opts, "tags", ()),
            description=_get(opts, "description", ""), provenance=_get(opts, "provenance", ()), id_span=id_span,
            action_span=opts["then"].span if "then" in opts else None,
        )

    def table(self, c: Clause) -> A.Table:
        name, name_span, hit, aggregate, items = c.value
        opts = self.once([i for i in items if i.kind != "row"], f" in table '{name}'")
        rows = tuple(i.value for i in items if i.kind == "row")
        outputs = _get(opts, "outputs", ())
        values = tuple(v for _, v in outputs) if any(v is not None for _, v in outputs) else ()
        return A.Table(name, hit, _get(opts, "inputs", ()), tuple(o for o, _ in outputs), rows, name_span,
                       aggregate=aggregate, default=_get(opts, "default"), description=_get(opts, "description", ""),
                       output_values=values)

    def decision(self, c: Clause) -> A.DecisionBlock:
        policy, clauses = c.value
        opts = self.once([x for x in clauses if x.kind != "band"], " in decision")
        bands = tuple(x.value for x in clauses if x.kind == "band")
        return A.DecisionBlock(policy, c.span, score=_get(opts, "score"), bands=bands,
                               default=_get(opts, "default", "approve"))

    def review(self, c: Clause) -> A.ReviewBlock:
        opts = self.once(c.value, " in review")
        return A.ReviewBlock(c.span, unexplained=_get(opts, "unexplained"),
                             anomaly_threshold=_get(opts, "anomaly_threshold"),
                             anomaly_model=_get(opts, "anomaly_model"), sla_hours=_get(opts, "sla_hours", 24.0),
                             amount=_get(opts, "amount"), id=_get(opts, "id"))
