"""The plugin manager, the shipped plugins, and the hook documentation."""
from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import create_app, hookimpl, hookspecs
from builder.cli import main as cli
from builder.errors import PluginError
from builder.extensions import db
from builder.plugins import notifiers, payment_gateways, plugin_manager
from tests.helpers import citizen, staff, submit_birth

ROOT = Path(__file__).resolve().parent.parent
HOOK_NAMES = sorted(
    name for name, value in vars(hookspecs).items()
    if callable(value) and hasattr(value, "motcua_spec")
)


class Recorder:
    """A plugin object that records the life hooks it receives."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def dossier_submitted(self, app, dossier):
        self.calls.append(("submitted", dossier.code, dossier.status))

    @hookimpl
    def dossier_status_changed(self, app, dossier, from_status, to_status):
        self.calls.append(("status", dossier.code, from_status, to_status))


def test_hook_specs_exist():
    assert {"dossier_status_changed", "dossier_submitted", "dossier_result_issued",
            "register_notifiers", "register_payment_gateways", "register_signature_verifiers",
            "register_signers", "register_carriers", "register_identity_providers"} <= set(HOOK_NAMES)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_documented(hook):
    """Each hook has its page: the signature as the title, and an example
    plugin implementing it; the index links to the page."""
    import inspect

    page = ROOT / "docs" / "hooks" / f"{hook}.md"
    assert page.exists(), f"docs/hooks/{hook}.md is missing"
    text = page.read_text("utf-8")
    signature = f"{hook}({', '.join(inspect.signature(getattr(hookspecs, hook)).parameters)})"
    assert text.startswith(f"# {signature}\n")
    example = re.search(r"```python\n(.*?)```", text, re.S)
    assert example and "@hookimpl" in example.group(1) and f"def {hook}(" in example.group(1)
    assert f"(hooks/{hook}.md)" in (ROOT / "docs" / "plugin_hooks.md").read_text("utf-8")


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_exercised_by_a_test(hook):
    """A test named after the hook exists (the datasette rule)."""
    sources = "".join(p.read_text("utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert re.search(rf"def test_\w*{hook}\w*\(", sources), f"no test exercises {hook}"


def test_shipped_plugins_load_through_entry_points(app):
    pm = plugin_manager(app)
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"log_notifier", "desk"} <= names
    assert {d.project_name for _, d in pm.list_plugin_distinfo()} == {"motcua-builder"}


def test_builder_never_imports_plugins():
    for path in (ROOT / "builder").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "plugins" or n.startswith("plugins.") for n in names), path


def test_a_plugin_can_be_blocked(app_config):
    app_config["PLUGINS_BLOCKED"] = ["log_notifier"]
    app = create_app(app_config)
    names = {name for name, plugin in plugin_manager(app).list_name_plugin() if plugin is not None}
    assert "log_notifier" not in names and "desk" in names
    assert "log" not in notifiers(app) and "email" in notifiers(app)  # the others stay
    with app.app_context():
        db.engine.dispose()


def test_plugins_api_is_for_admins(app, client):
    assert client.get("/api/v1/plugins").status_code == 401
    assert client.get("/api/v1/plugins", headers=citizen(client)).status_code == 403
    admin = staff(client, "quan_tri", role="Admin", agency=None)
    response = client.get("/api/v1/plugins", headers=admin)
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.get_json()}
    assert by_name["desk"]["kind"] == "payment"
    assert by_name["desk"]["hooks"] == ["register_payment_gateways"]
    assert by_name["desk"]["providers"] == ["desk"]
    assert by_name["log_notifier"]["kind"] == "notification"
    assert by_name["log_notifier"]["configured"] is True
    assert by_name["desk"]["version"] == "0.1.0"


def test_motcua_plugins_command(app_config, monkeypatch):
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", app_config["INSTANCE_PATH"])
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "desk 0.1.0 [payment] configured" in result.output
    assert "hooks: register_notifiers" in result.output


def test_register_payment_gateways_offers_the_desk(app):
    gateways = payment_gateways(app)
    assert gateways["desk"].label == "Nộp tại Bộ phận Một cửa"
    assert gateways["desk"].check_config() == []


def test_register_notifiers_must_return_providers(app_config):
    bad = types.SimpleNamespace(register_notifiers=hookimpl(lambda app: ["not a notifier"]))
    app_config["PLUGINS_EXTRA"] = [bad]
    app = create_app(app_config)
    with pytest.raises(PluginError, match="does not implement Notifier"):
        notifiers(app)
    with app.app_context():
        db.engine.dispose()


def test_dossier_submitted_and_dossier_status_changed_reach_plugins(app_config, birth_package):
    recorder = Recorder()
    app_config["PLUGINS_EXTRA"] = [recorder]
    app = create_app(app_config)
    from builder.forms.package import import_package

    with app.app_context():
        import_package(db.session, birth_package)
        db.session.commit()
    client = app.test_client()
    body = submit_birth(client, citizen(client), birth_package)
    assert recorder.calls == [("submitted", body["code"], 1)]
    sent = list(app.extensions["motcua.log_notifier"].sent)
    assert [n.dossier_code for n in sent] == [body["code"]]
    assert sent[0].subject == f"Hồ sơ {body['code']}: Mới đăng ký, chờ tiếp nhận"
    assert sent[0].to_email == "001090012345@example.vn"
    # the status-change hook, as the engine's jobs call it
    from builder.jobs.tasks import notify_status_changed
    from builder.models import Dossier
    from sqlalchemy import select

    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == body["code"]))
        notify_status_changed(dossier_id, 1, 2)
    assert recorder.calls[-1] == ("status", body["code"], 1, 2)
    with app.app_context():
        db.engine.dispose()
