"""Loading rulesets: the YAML format, and :func:`load_ruleset` for either format.

>>> rs = load_ruleset("rulesets/origination/ruleset.yaml")   # doctest: +SKIP
>>> rs.rules[0].when                                          # doctest: +SKIP
Binary(op='<', left=Name(parts=('applicant', 'age'), ...), ...)

Every problem in the file (and in the schema, list and include files it
names) is collected; one :class:`RulesetError` carries them all, sorted, with
the :class:`SourceCache` needed to render the offending lines. A loaded
ruleset keeps that cache in ``ruleset.extra["sources"]`` for later stages.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from . import ast as A
from . import yaml_models as M
from .comments import attach, collecting
from .diagnostics import RulesetError, SourceCache, error
from .limits import MAX_FILE_BYTES
from .resources import normalise, read_source
from .yaml_build import YamlBuilder, validate_file
from .yaml_comments import yaml_anchors
from .yaml_models import IncludeFile, RulesetFile, json_schema
from .yaml_safe import compose

__all__ = ["load_ruleset", "load_yaml_text", "json_schema", "RulesetFile", "IncludeFile"]

YAML_SUFFIXES = (".yaml", ".yml")


def load_ruleset(path: str | os.PathLike, sources: SourceCache | None = None, *, comments: bool = True) -> A.Ruleset:
    """Load a ``.yaml``/``.yml`` or ``.rules`` ruleset file (and the files it names).

    ``comments=False`` skips collecting a YAML file's comments (only ``fmt`` prints them;
    ``Engine.load`` does not need them). Raises :class:`RulesetError` with every
    diagnostic found.
    """
    sources = sources if sources is not None else SourceCache()
    path = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in YAML_SUFFIXES + (".rules",):
        span = A.Span.unknown(path)
        raise RulesetError([error("E116", f"cannot load '{path}': expected a .yaml, .yml or .rules file", span)], sources)
    text, problems = read_source(path, sources, what="ruleset file")
    if text is None:
        raise RulesetError(problems, sources)
    if suffix == ".rules":
        from .rules_format import parse_rules_text

        return parse_rules_text(text, path, sources=sources)
    return load_yaml_text(text, path, sources=sources, comments=comments)


def load_yaml_text(text: str, path: str = "<yaml>", *, sources: SourceCache | None = None,
                   comments: bool = True) -> A.Ruleset:
    """Load a YAML ruleset from ``text``; files it names are read relative to ``path``."""
    sources = sources if sources is not None else SourceCache()
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
    b = YamlBuilder(doc, sources)
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
