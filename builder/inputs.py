"""Numbers and dates that people type (in URLs, forms, JSON), read strictly.

``str.isdigit`` is true for "²" and other characters ``int`` refuses, and a
string of digits may name a number no database column holds; a date may be
one whose conversion between time zones, or a deadline counted from it, falls
outside what ``datetime`` can represent. Each of those once made an answer a
500. These helpers say None instead, and each caller answers with its own
4xx message.
"""
from __future__ import annotations

from datetime import date, datetime

from werkzeug.routing import IntegerConverter

# The largest key of an INTEGER column on PostgreSQL (rows are numbered from 1).
MAX_ROW_ID = 2**31 - 1
# Dates the product deals in: records from the last century, deadlines of this one.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)


def holds_nul(value) -> bool:
    """Whether a string, or any key or string inside a JSON value, holds the
    NUL character: no field may (PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


class RowIdConverter(IntegerConverter):
    """``<row_id:name>`` in a route: a row's key, from 1 to :data:`MAX_ROW_ID`.
    Any other number matches no route (a 404), never a query that overflows."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def whole_number(text, maximum: int = MAX_ROW_ID) -> int | None:
    """``text`` as a whole number when it is written in ASCII digits only
    (surrounding spaces allowed) and is at most ``maximum``; else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def calendar_date(text) -> date | None:
    """An ISO 8601 date (``YYYY-MM-DD``) between :data:`FIRST_DATE` and
    :data:`LAST_DATE`; else None."""
    if not isinstance(text, str):
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if FIRST_DATE <= value <= LAST_DATE else None


def instant(text) -> datetime | None:
    """An ISO 8601 instant with its time zone (``Z`` allowed) whose date is
    between :data:`FIRST_DATE` and :data:`LAST_DATE`; else None."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None or not FIRST_DATE <= value.date() <= LAST_DATE:
        return None
    return value
