"""The migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from builder.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Model.metadata)
    assert differences == []


def test_migrated_tables_exist(app):
    from sqlalchemy import inspect

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"agency", "procedure", "procedure_version", "dossier", "attachment", "dossier_history",
            "dossier_document", "dossier_sequence", "payment", "job_outbox", "user_profile",
            "ab_user", "ab_role", "alembic_version"} <= tables
