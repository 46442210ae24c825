"""The YAML ruleset format: one YAML document -> a :class:`~riskrules.dsl.ast.Ruleset`.

Every problem in the file (and in the schema, list and include files it
names) is collected; one :class:`RulesetError` carries them all, sorted, with
the :class:`SourceCache` needed to render the offending lines. Reading files
and ``include:`` belong to :mod:`riskrules.dsl.loader`, which calls
:func:`build_yaml_text`.
"""
from __future__ import annotations

import contextlib

from . import ast as A
from . import yaml_models as M
from .comments import attach, collecting
from .diagnostics import RulesetError, error
from .limits import MAX_FILE_BYTES
from .resources import Files, normalise
from .yaml_build import Include, YamlBuilder, validate_file
from .yaml_comments import yaml_anchors
from .yaml_models import IncludeFile, RulesetFile, json_schema
from .yaml_safe import compose

__all__ = ["build_yaml_text", "included_yaml_rules", "json_schema", "RulesetFile", "IncludeFile"]

YAML_SUFFIXES = (".yaml", ".yml")


def build_yaml_text(text: str, path: str, files: Files, include: Include | None = None, *,
                    comments: bool = True) -> A.Ruleset:
    """Build a YAML ruleset's AST from ``text``; files it names are read through ``files``.

    ``comments=False`` skips collecting the file's comments (only ``fmt`` prints them;
    ``Engine.load`` does not need them)."""
    sources = files.sources
    text = normalise(text)
    sources.add(path, text)
    if len(text) > MAX_FILE_BYTES:
        raise RulesetError([error("E112", f"ruleset is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                                  A.Span.unknown(path))], sources)
    doc, problems = compose(text, path, comments=comments)
    if problems:
        raise RulesetError(problems, sources)
    if doc.root is None:
        raise RulesetError([error("E114", "empty ruleset file: missing key 'ruleset'", A.Span.unknown(path))], sources)
    spec, problems = validate_file(doc, M.RulesetFile)
    b = YamlBuilder(doc, files, include)
    with collecting() if comments else contextlib.nullcontext([]) as in_expressions:  # `#` inside expressions
        includes, included_rules = b.includes()
        parts = dict(
            schema=b.schema(), lists=b.lists(), features=b.features(), models=b.models(), outcomes=b.outcomes(),
            rules=b.rules() + included_rules, tables=b.tables(), decision=b.decision(), review=b.review(),
            decision_time=b.decision_time(),
        )
    problems += b.diags
    if problems or spec is None:
        raise RulesetError(problems, sources)
    extra = {"sources": sources}
    if comments:
        found = doc.comments + [c for c in in_expressions if c.span.file == path]
        extra["comments"] = attach(found, yaml_anchors(doc), text.split("\n"))
    return A.Ruleset(
        name=b.text(("ruleset",), spec.ruleset), version=b.text(("version",), spec.version), span=doc.span(doc.root), description=spec.description,
        on_error=spec.on_error, tests=spec.tests, includes=includes, source=path,
        extra=extra, **parts,
    )


def included_yaml_rules(text: str, path: str, files: Files) -> tuple[list[A.Rule], list]:
    """The rules of a YAML file named by ``include:`` (it may hold only ``rules:``)."""
    doc, problems = compose(text, path, comments=False)
    if problems:
        return [], problems
    if doc.root is None:
        return [], []
    _, problems = validate_file(doc, M.IncludeFile)
    builder = YamlBuilder(doc, files)
    rules = builder.rules()
    return list(rules), problems + builder.diags
