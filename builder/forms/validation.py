"""Validate form data against its JSON Schema and say, per field, what is wrong.

The schema is the single source of validity. Errors come from jsonschema's
Draft 2020-12 validator (:data:`FormValidator`: the stock one, with its
``properties`` checking simple fields in place) with a format checker that knows our
formats (``citizen-id``, ``tax-code``, ``phone-vn``, ``address-vn``); each is placed at its field path (object keys and
array indexes joined with dots, a ``required`` error moved onto the missing
key) and worded in the request's language. A published version's payload is
first asked of jsonschema-rs (:func:`quick_check`), where its answer is known
to be jsonschema's: a valid one, most of them, needs nothing more."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import NoSuchResource

try:  # the accelerator: without it, jsonschema alone checks every payload
    import jsonschema_rs
except ImportError:  # pragma: no cover (a platform with no wheel for it)
    jsonschema_rs = None

from builder.forms.addresses import address_problem
from builder.forms.citizen_id import citizen_id_problem
from builder.forms.formats import phone_vn_problem, tax_code_problem

format_checker = FormatChecker()


@format_checker.checks("citizen-id")
def _is_citizen_id(value: object) -> bool:
    return not isinstance(value, str) or citizen_id_problem(value) is None


@format_checker.checks("tax-code")
def _is_tax_code(value: object) -> bool:
    return not isinstance(value, str) or tax_code_problem(value) is None


@format_checker.checks("phone-vn")
def _is_phone_vn(value: object) -> bool:
    return not isinstance(value, str) or phone_vn_problem(value) is None


@format_checker.checks("address-vn")
def _is_address_vn(value: object) -> bool:
    # on the object {"province", "commune", "street"}: the commune is the province's
    return address_problem(value) is None


def _refuse_retrieval(uri: str):
    # A schema may only refer inside itself: a remote $ref is never fetched.
    raise NoSuchResource(ref=uri)


_REGISTRY = Registry(retrieve=_refuse_retrieval)

# Keywords that look at the value alone: no subschema, no reference, no other
# keyword's result. A property's schema made of these (and of annotations such
# as title) is checked in place, see _properties.
_VALUE_KEYWORDS = frozenset({
    "type", "enum", "const", "minLength", "maxLength", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
})


def _value_keywords(validator, subschema) -> list | None:
    """(function, keyword, value) of each keyword of ``subschema``, in order,
    when it has only value keywords and annotations; else None (a ``$``
    keyword such as ``$id`` or ``$ref``, or any keyword with subschemas)."""
    if type(subschema) is not dict:
        return None
    found = []
    for keyword, value in subschema.items():
        if keyword in _VALUE_KEYWORDS:
            found.append((validator.VALIDATORS[keyword], keyword, value))
        elif keyword.startswith("$") or keyword in validator.VALIDATORS:
            return None
    return found


def _properties(validator, properties, instance, schema):
    """jsonschema's ``properties``, with the same errors in the same order,
    but a property whose schema has only value keywords (most fields of a
    form: a text with a length, a date, a number with bounds) is checked
    in place. ``descend`` would build a validator and a resolver for each
    such property: it was a third of a form's validation. Its errors get
    what ``descend`` gives them: keyword, schema, instance, and the
    property in both paths."""
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name not in instance:
            continue
        keywords = _value_keywords(validator, subschema)
        if keywords is None:
            yield from validator.descend(instance[name], subschema, path=name, schema_path=name)
            continue
        value = instance[name]
        for function, keyword, keyword_value in keywords:
            for error in function(validator, keyword_value, value, subschema) or ():
                # as descend does (_set fills only what the keyword left unset);
                # tests/test_validation.py compares every error with the stock validator's
                error._set(validator=keyword, validator_value=keyword_value, instance=value,
                           schema=subschema, type_checker=validator.TYPE_CHECKER)
                error.schema_path.appendleft(keyword)
                error.path.appendleft(name)
                error.schema_path.appendleft(name)
                yield error


# Draft 2020-12 with the ``properties`` above: jsonschema's documented way to
# replace a keyword (``extend``), everything else as it is.
FormValidator = validators.extend(Draft202012Validator, validators={"properties": _properties})


def make_validator(schema: dict) -> Draft202012Validator:
    return FormValidator(schema, format_checker=format_checker, registry=_REGISTRY)


_VALIDATORS: dict[str, Draft202012Validator] = {}
_QUICK_CHECKS: dict[str, Any] = {}
_MAX_CACHED = 512


def validator_for(schema: dict, cache_key: str | None = None) -> Draft202012Validator:
    """A validator, cached by ``cache_key``: give one only for a schema that
    never changes under that key (a published version)."""
    if cache_key is None:
        return make_validator(schema)
    validator = _VALIDATORS.get(cache_key)
    if validator is None:
        if len(_VALIDATORS) >= _MAX_CACHED:
            _VALIDATORS.clear()
            _QUICK_CHECKS.clear()
        validator = _VALIDATORS[cache_key] = make_validator(schema)
        _QUICK_CHECKS[cache_key] = quick_check(schema)
    return validator


# --- the quick check of a valid payload (jsonschema-rs) -----------------------
#
# Most payloads are valid, and jsonschema-rs (the Rust implementation, which
# passes the same official test suite) says so about twenty times faster than
# jsonschema. So a published version's payload is first asked of it; only a
# payload it finds invalid goes through jsonschema, which gives the errors as
# the citizen reads them, or finds none and has the last word. So what counts
# is that the quick check never finds valid what jsonschema finds invalid, and
# it is used only where that holds: the formats are ours and jsonschema's own
# checkers, called by both; a pattern must be plain (characters, classes,
# quantifiers, groups, anchors, escaped punctuation: no \d, \w, \s or \b,
# whose Unicode classes differ between Python and Rust, and no (?...)); and
# a schema is left to jsonschema alone if it has patternProperties, a
# multipleOf that is not a whole number (their float arithmetic differs), or
# a format on objects (address-vn: jsonschema-rs checks formats on strings
# only). Where they still differ, jsonschema-rs is the stricter (a pattern's $
# before a final newline matches in Python only), which costs time, not
# correctness. tests/test_validation.py compares the two answers on every
# form of the library and on thousands of altered payloads.

_ESCAPE = re.compile(r"\\(.)", re.S)


def _plain_pattern(pattern: Any) -> bool:
    return (isinstance(pattern, str) and "(?" not in pattern
            and all(c.isascii() and not c.isalnum() for c in _ESCAPE.findall(pattern)))


def _same_answers(schema: Any) -> bool:
    """Whether jsonschema-rs answers as jsonschema does for ``schema``."""
    if isinstance(schema, list):
        return all(_same_answers(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    for keyword, value in schema.items():
        if keyword == "patternProperties" or (keyword == "format" and value == "address-vn"):
            return False
        if keyword == "pattern" and not _plain_pattern(value):
            return False
        if keyword == "multipleOf" and (type(value) is not int):
            return False
        if keyword in ("enum", "const", "examples", "default"):  # values, not schemas
            continue
        if not _same_answers(value):
            return False
    return True


def _format(name: str):
    return lambda value: format_checker.conforms(value, name)


def quick_check(schema: dict):
    """jsonschema-rs's ``is_valid`` for ``schema``, with our formats, or None
    where its answer could differ from jsonschema's (see above), where it
    refuses the schema, or where it is not installed."""
    if jsonschema_rs is None or not _same_answers(schema):
        return None
    try:
        return jsonschema_rs.Draft202012Validator(
            schema, formats={name: _format(name) for name in format_checker.checkers},
            validate_formats=True, offline=True).is_valid
    except Exception:  # noqa: BLE001 (a schema it cannot compile: jsonschema decides alone)
        return None


def _quickly_valid(cache_key: str | None, data: Any) -> bool:
    check = _QUICK_CHECKS.get(cache_key) if cache_key is not None else None
    if check is None:
        return False
    try:
        return check(data)
    except Exception:  # noqa: BLE001 (a value it cannot take, NaN say: jsonschema decides)
        return False


def missing_keys(error: ValidationError) -> list[str]:
    """The keys a ``required`` or ``dependentRequired`` error is about, in the
    order jsonschema reports them (one error per missing key)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return [key for key in error.validator_value if key not in instance]
    return [
        key
        for present, needed in error.validator_value.items() if present in instance
        for key in needed if key not in instance
    ]


def field_paths(errors: list[ValidationError]) -> list[str]:
    """The field path of each error. A ``required`` error sits on the parent
    object, so the missing key is appended: jsonschema yields one error per
    missing key, in order, so the n-th error of a keyword at a place names
    the n-th missing key there."""
    seen: dict[tuple, int] = defaultdict(int)
    paths = []
    for error in errors:
        parts = [str(p) for p in error.absolute_path]
        if error.validator in ("required", "dependentRequired"):
            place = (tuple(error.absolute_path), tuple(error.absolute_schema_path))
            keys = missing_keys(error)
            if seen[place] < len(keys):
                parts.append(keys[seen[place]])
            seen[place] += 1
        elif error.validator == "format" and error.validator_value == "address-vn":
            parts.append(address_problem(error.instance)[0])  # the part that is wrong
        paths.append(".".join(parts))
    return paths


def _type_name(name: Any) -> str:
    names = {
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("yes or no"),
        "object": _("a group of fields"),
        "array": _("a list"),
        "null": _("empty"),
    }
    if isinstance(name, list):
        return _(" or ").join(names.get(n, n) for n in name)
    return names.get(name, name)


def error_message(error: ValidationError) -> str:
    """The error in words a citizen understands, in the request's language."""
    v, value = error.validator, error.validator_value
    if v in ("required", "dependentRequired"):
        return _("This field is required.")
    if v == "type":
        return _("Must be %(kind)s.", kind=_type_name(value))
    if v == "minLength":
        return _("Must be at least %(n)s characters long.", n=value)
    if v == "maxLength":
        return _("Must be at most %(n)s characters long.", n=value)
    if v == "pattern":
        return _("Is not in the expected format.")
    if v == "format":
        if value == "citizen-id":
            return str(citizen_id_problem(error.instance) or _("Is not a valid citizen ID."))
        if value == "tax-code":
            return str(tax_code_problem(error.instance) or _("Is not in the expected format."))
        if value == "phone-vn":
            return str(phone_vn_problem(error.instance) or _("Is not in the expected format."))
        if value == "address-vn":
            problem = address_problem(error.instance)
            return str(problem[1]) if problem else _("Is not in the expected format.")
        if value == "date":
            return _("Must be a date (YYYY-MM-DD).")
        if value == "email":
            return _("Must be an e-mail address.")
        return _("Is not in the expected format.")
    if v in ("enum", "const"):
        return _("Is not one of the allowed choices.")
    if v == "oneOf" and all("const" in s for s in value):
        return _("Is not one of the allowed choices.")
    if v in ("minimum", "exclusiveMinimum"):
        return _("Must be at least %(n)s.", n=value)
    if v in ("maximum", "exclusiveMaximum"):
        return _("Must be at most %(n)s.", n=value)
    if v == "minItems":
        return _("Needs at least %(n)s rows.", n=value)
    if v == "maxItems":
        return _("Allows at most %(n)s rows.", n=value)
    if v in ("additionalProperties", "unevaluatedProperties"):
        return _("Contains fields that are not part of the form.")
    return _("Is not valid.")


def collect_errors(errors) -> dict[str, list[str]]:
    result: dict[str, list[str]] = defaultdict(list)
    # if/then, allOf: report the leaf errors, where the fields are
    leaves = [leaf for error in errors for leaf in _leaves(error)]
    for leaf, path in zip(leaves, field_paths(leaves)):
        message = error_message(leaf)
        if message not in result[path]:
            result[path].append(message)
    return dict(result)


def _leaves(error: ValidationError) -> list[ValidationError]:
    if error.validator in ("allOf", "then", "else", "if") and error.context:
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


def validate_data(
    schema: dict, data: Any, cache_key: str | None = None, shape_only: bool = False
) -> dict[str, list[str]]:
    """Field path → messages; empty when ``data`` is valid. ``shape_only``
    (drafts) keeps only errors of type, so a half-filled form can be saved."""
    validator = validator_for(schema, cache_key)
    if _quickly_valid(cache_key, data):  # no error at all, so none of type either
        return {}
    errors = validator.iter_errors(data)
    if shape_only:
        errors = (e for e in errors if e.validator == "type")
    return collect_errors(errors)
