"""Loading a ruleset: every file it is made of, read once, for both formats.

>>> rs = load_ruleset("rulesets/origination/ruleset.yaml")      # doctest: +SKIP
>>> list(rs.extra["files"].raw)[:2]                              # doctest: +SKIP
['rulesets/origination/ruleset.yaml', 'rulesets/origination/schema.yaml']

The loader reads the ruleset file, the files it includes (``include:``, YAML or
``.rules``), its schema file, its list files and its model files through one
:class:`~riskrules.dsl.resources.Files`, kept in ``ruleset.extra["files"]``. The
checker binds lists and models from those bytes and never opens a file, and the
content digest is computed over exactly those bytes, so a deploy that replaces a
file while a ruleset loads cannot stamp decisions with another version's digest.

This module is the only one that knows both formats: ``parser``, ``rules_format``,
``yaml_format``, ``yaml_build`` and ``schema`` do not import each other in a
cycle; an include is loaded through the callback the loader hands the builders.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import ast as A
from .diagnostics import Diagnostic, RulesetError, SourceCache, error
from .resources import MAX_MODEL_BYTES, Files, resolve
from .rules_format import build_rules_text, included_rules
from .yaml_format import YAML_SUFFIXES, build_yaml_text, included_yaml_rules

__all__ = ["load_ruleset", "load_yaml_text", "parse_rules_text", "Files"]


def load_ruleset(path: str | os.PathLike, sources: SourceCache | None = None, *, comments: bool = True) -> A.Ruleset:
    """Load a ``.yaml``/``.yml`` or ``.rules`` ruleset file and every file it names.

    ``comments=False`` skips collecting a YAML file's comments (only ``fmt`` prints them).

    Raises :class:`RulesetError` with every diagnostic found. A model file that
    cannot be read is not an error here (formatting needs no models): the checker
    reports it.
    """
    files = Files(sources)
    path = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in YAML_SUFFIXES + (".rules",):
        span = A.Span.unknown(path)
        raise RulesetError([error("E116", f"cannot load '{path}': expected a .yaml, .yml or .rules file", span)],
                           files.sources)
    text, problems = files.text(path, what="ruleset file")
    if text is None:
        raise RulesetError(problems, files.sources)
    return _build(text, path, files, rules=suffix == ".rules", comments=comments)


def load_yaml_text(text: str, path: str = "<yaml>", *, sources: SourceCache | None = None,
                   comments: bool = True) -> A.Ruleset:
    """Load a YAML ruleset from ``text``; files it names are read relative to ``path``."""
    files = Files(sources)
    files.add(path, text.encode("utf-8"))
    return _build(text, path, files, rules=False, comments=comments)


def parse_rules_text(text: str, path: str = "<rules>", *, sources: SourceCache | None = None) -> A.Ruleset:
    """Load a ``.rules`` ruleset from ``text``; files it names are read relative to ``path``."""
    files = Files(sources)
    files.add(path, text.encode("utf-8"))
    return _build(text, path, files, rules=True)


def _build(text: str, path: str, files: Files, *, rules: bool, comments: bool = True) -> A.Ruleset:
    include = _includer(files)
    rs = (build_rules_text(text, path, files, include) if rules
          else build_yaml_text(text, path, files, include, comments=comments))
    for m in rs.models:  # a file that cannot be read stays in files.failed, for the checker to report
        if m.path:
            files.read(resolve(path, m.path), m.span, "model file", MAX_MODEL_BYTES)
    rs.extra["files"] = files
    return rs


def _includer(files: Files):
    def include(relative: str, base_file: str, at: A.Span) -> tuple[list[A.Rule], list[Diagnostic]]:
        path = resolve(base_file, relative)
        text, problems = files.text(path, at, what="included file")
        if text is None:
            return [], problems
        if path.endswith(".rules"):
            return included_rules(text, path, files)
        return included_yaml_rules(text, path, files)

    return include
