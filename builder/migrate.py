"""Alembic, driven from the app: ``motcua init`` upgrades to the newest revision.
The migrations live in ``migrations/`` at the top of the repository."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from builder.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(revision: str = "head") -> None:
    """Run the migrations on the app's database (inside an app context)."""
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def revision(message: str, autogenerate: bool = True) -> None:
    """Write a new migration (developers: `python -m builder.migrate "message"`)."""
    with db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=autogenerate)


if __name__ == "__main__":  # pragma: no cover
    import sys

    from builder import create_app

    with create_app().app_context():
        revision(" ".join(sys.argv[1:]) or "change")
