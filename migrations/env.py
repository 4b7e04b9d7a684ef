"""Alembic environment: the app hands over a connection (builder.migrate)."""
from __future__ import annotations

from alembic import context
from flask_appbuilder import Model

import builder.models  # noqa: F401  (the tables)

config = context.config
target_metadata = Model.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    from builder import create_app
    from builder.extensions import db

    with create_app().app_context(), db.engine.begin() as connection:
        run_migrations(connection)
else:
    run_migrations(connection)
