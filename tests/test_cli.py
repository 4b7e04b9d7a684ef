"""The operator's commands."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from builder import create_app
from builder.cli import main as cli
from builder.extensions import db
from builder.models import Agency, Procedure, UserProfile


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_init_demo_prepares_everything(fresh_database, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "--demo"])
    assert result.exit_code == 0, result.output
    assert "1.001193.000.00.00.H26 v1: Đăng ký khai sinh" in result.output
    again = runner.invoke(cli, ["init", "--demo"])  # upgrading twice changes nothing
    assert again.exit_code == 0, again.output
    assert "agencies added: 0" in again.output
    made = runner.invoke(cli, ["user", "create", "--role", "Desk", "--username", "mot_cua_2",
                               "--password", "mat-khau-123", "--agency", "000.01.02.H26"])
    assert made.exit_code == 0, made.output
    bad = runner.invoke(cli, ["user", "create", "--role", "Officer", "--username", "x",
                              "--password", "mat-khau-123", "--agency", "000.99.99.H99"])
    assert bad.exit_code != 0 and "000.99.99.H99" in bad.output
    app = create_app()
    with app.app_context():
        assert db.session.scalar(select(func.count(Agency.id))) == 7
        assert db.session.scalar(select(Procedure).where(Procedure.code == "1.001193.000.00.00.H26")).current_version
        roles = {u.username: [r.name for r in u.roles] for u in app.appbuilder.sm.get_all_users()}
        assert roles["admin"] == ["Admin"] and roles["desk"] == ["Desk"] and roles["mot_cua_2"] == ["Desk"]
        profile = db.session.get(UserProfile, app.appbuilder.sm.find_user("mot_cua_2").id)
        assert profile.agency.code == "000.01.02.H26"
        db.session.remove()
        db.engine.dispose()
    client = app.test_client()
    login = client.post("/api/v1/security/login", json={
        "username": "officer", "password": "officer", "provider": "db"})
    assert login.status_code == 200


def test_library_import_refuses_an_invalid_package(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", app_config["INSTANCE_PATH"])
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"code": "X", "name": "Thủ tục hỏng"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["library", "import", str(bad)])
    assert result.exit_code != 0
    assert "Gói dịch vụ không hợp lệ" in result.output or "not valid" in result.output
    assert "agency_code" in result.output
    ok = CliRunner().invoke(cli, ["library", "import"])
    assert ok.exit_code == 0 and "Đăng ký khai sinh" in ok.output
