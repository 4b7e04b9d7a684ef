"""The migrations build exactly the schema the models describe, and each of
them can be undone."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import inspect

from builder import create_app
from builder.extensions import db
from builder.migrate import alembic_config
from tests.conftest import base_config


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Model.metadata)
    assert differences == []


def test_migrated_tables_exist(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"agency", "procedure", "procedure_version", "dossier", "attachment", "dossier_history",
            "dossier_document", "dossier_sequence", "payment", "job_outbox", "user_profile",
            "ab_user", "ab_role", "alembic_version"} <= tables


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_every_migration_can_be_undone_and_done_again(fresh_database, tmp_path):
    app = create_app(base_config(tmp_path / "instance", fresh_database))

    def migrate(step, revision: str) -> set[str]:
        with db.engine.begin() as connection:
            step(alembic_config(connection), revision)
        return {index["name"] for index in inspect(db.engine).get_indexes("dossier")} \
            if inspect(db.engine).has_table("dossier") else set()

    with app.app_context():
        at_head = migrate(command.upgrade, "head")
        assert "ix_dossier_handling_status" in at_head
        # 0015 dropped the index whose column ix_dossier_handling_status begins with
        assert "ix_dossier_handling_agency_id" not in at_head
        assert "ix_dossier_handling_agency_id" in migrate(command.downgrade, "0014")
        assert migrate(command.downgrade, "base") == set()
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        assert migrate(command.upgrade, "head") == at_head
        db.engine.dispose()
