"""What a form schema may contain before it is saved, beyond the meta-schema:
nothing that can hang or mislead the validator. Each problem is reported at
its place in the package (``form.schema.properties.x.pattern``).

Refused: a ``pattern`` (or ``patternProperties`` key) that Python's ``re``
cannot compile or longer than ``MAX_PATTERN``; an unknown ``type``; a
``format`` that ``validation.format_checker`` does not check (it would pass
anything); a ``$ref`` that is not a local ``#/...`` pointer (remote schemas
are never fetched) or that points to nothing, a nested ``$id`` (it would move
what ``#`` means); references in a loop; nesting deeper than ``MAX_DEPTH``
or more than ``MAX_PROPERTIES`` properties, both counted with every ``$ref``
expanded, so that a few definitions referring to each other cannot blow up.

The walk is iterative and stops at ``MAX_NODES`` sub-schemas, so the check
itself cannot be made to recurse or run long."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator
from urllib.parse import unquote

from flask_babel import gettext as _

from builder.forms.validation import format_checker
from builder.inputs import whole_number

MAX_PATTERN = 1000
MAX_DEPTH = 32
MAX_PROPERTIES = 2000
MAX_NODES = 20000
TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")

# keyword → how it holds sub-schemas
_ONE = ("additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_REFS = ("$ref", "$dynamicRef")
_DEFINITIONS = ("$defs", "definitions")  # counted where they are used, not where they are

Path = tuple  # of str | int: keys and indexes from the schema's root


def _subschemas(node: dict, path: Path) -> Iterator[tuple[Path, Any]]:
    for key in _ONE:
        if key in node and isinstance(node[key], dict):
            yield path + (key,), node[key]
    for key in _MAP:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                yield path + (key, name), sub
    for key in _LIST:
        if isinstance(node.get(key), list):
            for i, sub in enumerate(node[key]):
                yield path + (key, i), sub


def _where(prefix: str, path: Path) -> str:
    return ".".join([prefix, *map(str, path)])


class _Walk:
    """One pass over the schema: its sub-schemas with their depth, and the
    properties and references in each."""

    def __init__(self, schema: dict):
        self.nodes: dict[Path, tuple[int, dict]] = {}  # path → (depth, node)
        # path → length of the path of the definition ($defs entry) it lies in, 0 if none
        self.in_definition: dict[Path, int] = {}
        self.refs: dict[Path, str] = {}  # path of the schema holding the $ref → the ref
        self.too_big = False
        stack: list[tuple[Path, Any, int, int]] = [((), schema, 0, 0)]
        while stack:
            path, node, depth, definition = stack.pop()
            if not isinstance(node, dict):
                continue
            if len(self.nodes) >= MAX_NODES:
                self.too_big = True
                break
            self.nodes[path] = (depth, node)
            self.in_definition[path] = definition
            for key in _REFS:
                if isinstance(node.get(key), str):
                    self.refs[path + (key,)] = node[key]
            if depth <= MAX_DEPTH:  # deeper is refused anyway: no need to go on
                stack.extend(
                    (sub_path, sub, depth + 1,
                     len(sub_path) if len(sub_path) > 1 and sub_path[-2] in _DEFINITIONS else definition)
                    for sub_path, sub in _subschemas(node, path)
                )


def _resolve(schema: dict, ref: str) -> Path | None:
    """The path a local JSON pointer ``#/a/b`` leads to, or None."""
    pointer = unquote(ref[1:])
    node: Any = schema
    path: list = []
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node, step = node[token], token
        elif isinstance(node, list) and (index := whole_number(token)) is not None and index < len(node):
            node, step = node[index], index
        else:
            return None
        path.append(step)
    return tuple(path) if isinstance(node, (dict, bool)) else None


def schema_problems(schema: Any, prefix: str = "form.schema") -> dict[str, list[str]]:
    """Place in the package → messages; empty when the schema is safe to use."""
    if not isinstance(schema, dict):
        return {}
    errors: dict[str, list[str]] = {}

    def refuse(path: Path, message: str) -> None:
        errors.setdefault(_where(prefix, path), []).append(message)

    walk = _Walk(schema)
    if walk.too_big:
        refuse((), _("The form has more than %(n)s parts; it cannot be checked.", n=MAX_NODES))
        return errors
    for path, (depth, node) in walk.nodes.items():
        if depth > MAX_DEPTH:
            refuse(path, _("The form is nested more than %(n)s levels deep.", n=MAX_DEPTH))
            continue
        _check_node(node, path, refuse)
    targets = _check_refs(schema, walk, refuse)
    if not errors:
        _check_expansion(walk, targets, refuse)
    return errors


def _check_node(node: dict, path: Path, refuse) -> None:
    if isinstance(node.get("pattern"), str):
        problem = _pattern_problem(node["pattern"])
        if problem:
            refuse(path + ("pattern",), problem)
    for key in node.get("patternProperties") or {}:
        problem = _pattern_problem(key)
        if problem:
            refuse(path + ("patternProperties", key), problem)
    kinds = node.get("type")
    for kind in kinds if isinstance(kinds, list) else [kinds] if kinds is not None else []:
        if kind not in TYPES:
            refuse(path + ("type",), _("Unknown type %(type)s; use one of: %(types)s.",
                                        type=kind, types=", ".join(TYPES)))
    fmt = node.get("format")
    if fmt is not None and fmt not in format_checker.checkers:
        refuse(path + ("format",), _("Unknown format %(format)s; the known formats are: %(formats)s.",
                                      format=fmt, formats=", ".join(sorted(format_checker.checkers))))
    if path and "$id" in node:
        refuse(path + ("$id",), _("Only the form schema itself may have an $id."))


@lru_cache(maxsize=1024)
def _pattern_problem(pattern: str) -> str | None:
    if len(pattern) > MAX_PATTERN:
        return _("A pattern may have at most %(n)s characters.", n=MAX_PATTERN)
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return _("This pattern is not a valid regular expression: %(why)s", why=str(exc))
    return None


def _check_refs(schema: dict, walk: _Walk, refuse) -> dict[Path, Path]:
    """Path of each $ref → path of its target; refuses remote, dangling and
    looping references."""
    targets: dict[Path, Path] = {}
    for path, ref in walk.refs.items():
        if ref != "#" and not ref.startswith("#/"):
            refuse(path, _("Only references inside the form schema (#/...) are allowed: %(ref)s", ref=ref))
            continue
        target = _resolve(schema, ref)
        if target is None:
            refuse(path, _("This reference points to nothing: %(ref)s", ref=ref))
            continue
        targets[path] = target
    # ref r leads to ref s when s lies inside r's target: a loop is a cycle of that
    inside = {r: [s for s in targets if s[:len(t)] == t] for r, t in targets.items()}
    state: dict[Path, int] = {}  # 1: on the current path, 2: done
    for start in targets:
        if state.get(start):
            continue
        stack = [(start, iter(inside[start]))]
        state[start] = 1
        while stack:
            ref, following = stack[-1]
            nxt = next(following, None)
            if nxt is None:
                state[ref] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                loop = [r for r, _it in stack][[r for r, _it in stack].index(nxt):]
                refuse(nxt, _("These references lead back to themselves: %(refs)s",
                              refs=" → ".join(walk.refs[r] for r in loop + [nxt])))
                return {}
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(inside[nxt])))
    return targets


def _check_expansion(walk: _Walk, targets: dict[Path, Path], refuse) -> None:
    """Depth and number of properties with each $ref replaced by its target
    (the references form no loop here)."""
    cap = MAX_PROPERTIES + 1

    def within(top: Path):
        # the sub-schemas under ``top``, less the definitions below it
        return [(p, d, n) for p, (d, n) in walk.nodes.items()
                if p[:len(top)] == top and walk.in_definition[p] <= len(top)]

    memo: dict[Path, tuple[int, int]] = {}

    def expanded(top: Path) -> tuple[int, int]:
        """(depth below ``top``, properties) of the sub-schema at ``top``."""
        if top in memo:
            return memo[top]
        if top not in walk.nodes:  # a boolean schema
            return 0, 0
        base = walk.nodes[top][0]
        depth, props = 0, 0
        for path, d, node in within(top):
            depth = max(depth, d - base)
            props += len(node.get("properties") or {}) if isinstance(node.get("properties"), dict) else 0
            for key in _REFS:
                ref_path = path + (key,)
                if ref_path in targets:
                    sub_depth, sub_props = expanded(targets[ref_path])
                    depth = max(depth, d - base + sub_depth)
                    props += sub_props
            props = min(props, cap)
            if depth > MAX_DEPTH:
                break
        memo[top] = (depth, props)
        return memo[top]

    # the targets first, deepest paths first, so the memo fills from the leaves
    for target in sorted(set(targets.values()), key=len, reverse=True):
        expanded(target)
    depth, props = expanded(())
    if depth > MAX_DEPTH:
        refuse((), _("The form is nested more than %(n)s levels deep.", n=MAX_DEPTH))
    if props > MAX_PROPERTIES:
        refuse((), _("The form has more than %(n)s fields in total.", n=MAX_PROPERTIES))
