"""Job functions used by the tests (importable by workers by dotted path)."""
from __future__ import annotations

CALLS: list = []


def record(value) -> None:
    CALLS.append(value)


def explode(value) -> None:
    raise RuntimeError(f"boom {value}")
