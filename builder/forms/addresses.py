"""Addresses in the two-tier administrative units in force since 1 July 2025
(34 provinces, 3,321 communes, wards and special zones), from the
``vietnam-provinces`` package.

Codes are the statistics office's, as zero-padded strings: provinces have 2
digits ("01" Hà Nội, "79" Hồ Chí Minh City: the citizen ID's province code
without its leading 0), communes 5 ("00070" Phường Hoàn Kiếm). An address
field is an object ``{"province", "commune", "street"}`` with
``"format": "address-vn"``: listing 3,321 communes as an ``enum`` would bloat
every schema, so the format checks that the commune lies in the province."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from vietnam_provinces import Province, Ward
from vietnam_provinces import __data_version__ as DATA_VERSION  # noqa: F401 (re-exported)


def _province_code(code: int) -> str:
    return f"{int(code):02d}"


def _commune_code(code: int) -> str:
    return f"{int(code):05d}"


@lru_cache(maxsize=None)
def _units() -> dict[str, tuple[str, dict[str, str]]]:
    """Province code → (name, commune code → name), both sorted by code."""
    units: dict[str, tuple[str, dict[str, str]]] = {}
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        units[_province_code(province.code)] = (province.name, {})
    for ward in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        units[_province_code(ward.province_code)][1][_commune_code(ward.code)] = ward.name
    return units


def provinces() -> list[tuple[str, str]]:
    """(code, name) of the 34 provinces and centrally-run cities, by code."""
    return [(code, name) for code, (name, _communes) in _units().items()]


def communes(province_code: str) -> list[tuple[str, str]]:
    """(code, name) of the communes, wards and special zones of a province, by
    code; empty for an unknown province."""
    unit = _units().get(province_code)
    return list(unit[1].items()) if unit else []


@lru_cache(maxsize=None)
def units_json() -> str:
    """The province → communes mapping as JSON, for a select-province-then-
    commune widget: ``{"version": .., "provinces": [{"code", "name",
    "communes": [{"code", "name"}, ..]}, ..]}`` (about 150 KB)."""
    return json.dumps({
        "version": DATA_VERSION,
        "provinces": [
            {"code": code, "name": name,
             "communes": [{"code": c, "name": n} for c, n in communes_.items()]}
            for code, (name, communes_) in _units().items()
        ],
    }, ensure_ascii=False, separators=(",", ":"))


def address_schema(title: str, required: bool = True) -> dict[str, Any]:
    """The JSON Schema of an address field."""
    return {
        "type": "object",
        "title": title,
        "format": "address-vn",
        "required": ["province", "commune", "street"] if required else [],
        "properties": {
            "province": {"type": "string", "title": "Tỉnh/thành phố", "pattern": "^[0-9]{2}$"},
            "commune": {"type": "string", "title": "Xã/phường/đặc khu", "pattern": "^[0-9]{5}$"},
            "street": {"type": "string", "title": "Số nhà, đường, thôn/xóm", "minLength": 2,
                       "maxLength": 200},
        },
        "additionalProperties": False,
    }


def address_problem(value: object):
    """(key, message) of what is wrong with an address object, or None. A
    missing or mistyped part is left to ``required`` and ``type``."""
    if not isinstance(value, dict):
        return None
    province, commune = value.get("province"), value.get("commune")
    if not isinstance(province, str):
        return None
    unit = _units().get(province)
    if unit is None:
        return "province", _l("No province or centrally-run city has this code.")
    if isinstance(commune, str) and commune not in unit[1]:
        return "commune", _l("The commune is not in the chosen province.")
    return None
