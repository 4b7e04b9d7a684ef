"""What every provider has, whatever its kind."""
from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Provider(Protocol):
    """What every provider has: a unique name, a label and a configuration check."""

    name: str
    label: str

    def check_config(self) -> list[str]:
        """Return what is wrong with this provider's settings (empty when ready)."""
