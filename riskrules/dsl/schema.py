"""The input schema: from a YAML mapping (inline or a schema file) to ``ast.Schema``.

Syntax (docs/language.md)::

    applicant:
      age: int
      middle_name: string?          # ? = optional
      employment: enum(employed, self_employed)
      phones: list<string>
      address:                      # nested object
        city: string
    device?:                        # optional object
      id: string

Type names are checked here (E117 with a did-you-mean hint) for both formats.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, ScalarNode

from . import ast as A
from .diagnostics import Diagnostic, did_you_mean, error
from .parser import parse_located
from .resources import Files, resolve
from .yaml_safe import YamlDoc, compose

TYPE_WORDS = A.SCALAR_TYPES + ("enum", "list")
#: names other languages use, for the hint
_TYPE_ALIASES = {
    "integer": "int", "integr": "int", "long": "int", "float": "number", "double": "number", "money": "decimal",
    "numeric": "number", "str": "string", "text": "string", "boolean": "bool", "timestamp": "datetime",
    "time": "datetime", "timedelta": "duration", "interval": "duration", "array": "list", "object": "a nested mapping",
}


def _type_hint(name: str) -> str:
    alias = _TYPE_ALIASES.get(name.lower())
    if alias is not None:
        return f"did you mean '{alias}'?" if alias in TYPE_WORDS else f"use {alias}"
    return did_you_mean(name, TYPE_WORDS) or "types: " + ", ".join(TYPE_WORDS)


def check_type_names(t: A.TypeRef) -> list[Diagnostic]:
    """E117 for every unknown type name inside ``t``."""
    found: list[Diagnostic] = []
    stack = [t]
    while stack:
        t = stack.pop()
        if t.name == "object":
            stack.extend(f.type for f in t.fields)
        elif t.name == "list":
            if t.item is not None:
                stack.append(t.item)
        elif t.name not in TYPE_WORDS:
            found.append(error("E117", f"unknown type '{t.name}'", t.span, hint=_type_hint(t.name)))
        elif t.scale is not None and (t.name != "decimal" or not 0 <= t.scale <= 38):
            found.append(error("E117", f"'{t.name}({t.scale})' is not a type", t.span,
                               hint="decimal(s) takes the digits after the point, 0 to 38; other types take none"))
    return found


def fields_from_yaml(doc: YamlDoc, node: MappingNode) -> tuple[tuple[A.Field, ...], list[Diagnostic]]:
    """Fields of a schema mapping (this is the one place schema contents are checked)."""
    fields: list[A.Field] = []
    found: list[Diagnostic] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        name = key_node.value
        optional = name.endswith("?")
        name = name[:-1] if optional else name
        span = doc.span(key_node)
        if isinstance(value_node, MappingNode):
            sub, problems = fields_from_yaml(doc, value_node)
            found += problems
            ftype = A.TypeRef("object", span, fields=sub)
        elif isinstance(value_node, ScalarNode) and value_node.tag.endswith(":str"):
            parsed, problems = parse_located(value_node.value, "type_start", doc.scalar_locator(value_node))
            found += problems
            if parsed is None:
                continue
            ftype, opt = parsed
            optional = optional or opt
            found += check_type_names(ftype)
        else:
            found.append(error("E115", f"field '{name}' needs a type such as int, string? or enum(a, b), "
                               "or a mapping of fields", doc.span(value_node)))
            continue
        fields.append(A.Field(name, ftype, optional, span))
    return tuple(fields), found


def schema_from_file(relative: str, base_file: str, files: Files, at: A.Span) -> tuple[A.Schema, list[Diagnostic]]:
    """Load ``schema: <path>`` (a YAML schema file) relative to the ruleset file."""
    path = resolve(base_file, relative)
    empty = A.Schema((), at, path=relative)
    text, problems = files.text(path, at, what="schema file")
    if text is None:
        return empty, problems
    doc, problems = compose(text, path, comments=False)
    if problems:
        return empty, problems
    if doc.root is None:
        return A.Schema((), A.Span(path, 1, 1, 1, 1), path=relative), []
    if not isinstance(doc.root, MappingNode):
        return empty, [error("E115", "a schema file must be a mapping of field names to types", doc.span(doc.root))]
    fields, problems = fields_from_yaml(doc, doc.root)
    return A.Schema(fields, doc.span(doc.root), path=relative), problems
