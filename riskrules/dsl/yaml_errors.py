"""Pydantic validation errors -> positioned diagnostics at the offending YAML key or value.

* unknown key -> E113 at the key, with "did you mean" from the keys allowed there;
* missing key -> E114 at the mapping that lacks it;
* wrong value type or value -> E115 at the value.

Pydantic reports one error per branch of a union; errors are mapped back to
data paths and a type error is dropped when another branch got deeper into
the same value (it was the wrong branch), the rest merged per value.
"""
from __future__ import annotations

import re

from pydantic import ValidationError

from .diagnostics import Diagnostic, did_you_mean, error
from .yaml_safe import YamlDoc

_EXPECTED = {
    "string_type": "text",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not NaN or infinity)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "date_type": "a date",
    "datetime_type": "a datetime",
    "none_required": "nothing",
}
#: top-level sections checked elsewhere (the schema builder owns schema contents)
_OWN_CHECKS = ("schema",)


def describe_value(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"text '{value}'" if len(value) <= 40 else "text"
    return type(value).__name__


def data_path(data, loc) -> tuple[tuple, tuple]:
    """Follow ``loc`` through ``data``; union tags and absent keys are left over."""
    path: list = []
    rest: list = []
    cur = data
    for el in loc:
        if isinstance(cur, dict) and isinstance(el, str) and el in cur:
            cur = cur[el]
            path.append(el)
        elif isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            cur = cur[el]
            path.append(el)
        else:
            rest.append(el)
    return tuple(path), tuple(rest)


def allowed_keys(schema: dict, data, path: tuple) -> list[str]:
    """Keys the JSON Schema allows in the mapping at ``path`` of ``data``."""
    node = _pick(schema, schema, data)
    cur = data
    for el in path:
        if isinstance(cur, dict):
            props = node.get("properties", {})
            node = props.get(el) or node.get("additionalProperties") or {}
        elif isinstance(cur, list):
            node = node.get("items") or {}
        cur = cur[el]
        node = _pick(schema, node, cur)
    return list(node.get("properties", {}))


def _pick(root: dict, node: dict, value) -> dict:
    """Dereference ``node`` and choose the union branch that fits ``value``."""
    for _ in range(32):
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            continue
        branches = node.get("anyOf") or node.get("oneOf")
        if not branches:
            return node
        want = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
        chosen = next((b for b in branches if _kind(root, b) == want), branches[0])
        node = chosen
    return node


def _kind(root: dict, node: dict) -> str | None:
    if "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node.get("type")


def validation_diagnostics(exc: ValidationError, doc: YamlDoc, schema: dict, where: str = "") -> list[Diagnostic]:
    """Diagnostics for every error in ``exc`` (validated from ``doc.data``)."""
    located = []
    for err in exc.errors():
        path, rest = data_path(doc.data, err["loc"])
        if path and path[0] in _OWN_CHECKS and len(path) > 1:
            continue
        located.append((path, rest, err))
    deeper = {p for p, _, _ in located}
    found: list[Diagnostic] = []
    type_errors: dict[tuple, list] = {}
    for path, rest, err in located:
        kind = err["type"]
        if kind == "extra_forbidden":
            key = path[-1]
            hint = did_you_mean(str(key), allowed_keys(schema, doc.data, path[:-1]))
            found.append(error("E113", f"unknown key '{key}'{where}", doc.key_span_at(path), hint=hint))
        elif kind == "missing":
            key = rest[-1] if rest else "?"
            found.append(error("E114", f"missing key '{key}'{where}", doc.span_at(path)))
        elif kind == "literal_error":
            found.append(_bad_choice(doc, path, err))
        elif any(q != path and q[: len(path)] == path for q in deeper):
            continue  # a union branch that got further explains this value better
        else:
            type_errors.setdefault(path, []).append(err)
    for path, errs in type_errors.items():
        wanted = []
        for err in errs:
            w = _expected(err)
            if w not in wanted:
                wanted.append(w)
        got = describe_value(doc.value_at(path))
        found.append(error("E115", f"expected {' or '.join(wanted)}, got {got}", doc.span_at(path)))
    return found


def _expected(err: dict) -> str:
    """What the value should have been, in words."""
    ctx = err.get("ctx") or {}
    if err["type"] == "less_than_equal":
        return f"a number at most {ctx.get('le')}"
    if err["type"] == "greater_than_equal":
        return f"a number at least {ctx.get('ge')}"
    return _EXPECTED.get(err["type"], err["msg"].lower())


def _bad_choice(doc: YamlDoc, path: tuple, err: dict) -> Diagnostic:
    choices = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
    value = doc.value_at(path)
    message = f"invalid value {describe_value(value)}"
    if choices:
        message += " — expected one of " + ", ".join(choices)
    return error("E115", message, doc.span_at(path), hint=did_you_mean(str(value), choices))
