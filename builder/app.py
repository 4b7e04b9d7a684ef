"""The application factory."""
from __future__ import annotations

import logging
import os
import weakref
from zoneinfo import ZoneInfo

from flask import Flask

from builder import config as default_config
from builder.database import configure_database
from flask_appbuilder import AppBuilder

from builder.extensions import db
from builder.inputs import RowIdConverter

log = logging.getLogger(__name__)

# Settings that may come from the environment, and how to read them.
ENV_SETTINGS = {
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "SECRET_KEY": str,
    "ATTACHMENT_MAX_BYTES": int,
}


def load_settings(app: Flask, test_config: dict | None) -> None:
    """Defaults, then ``instance/config.py``, then the environment; a test's
    mapping replaces them all."""
    app.config.from_object(default_config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, cast in ENV_SETTINGS.items():
            if os.environ.get(key):
                app.config[key] = cast(os.environ[key])
        app.config.from_prefixed_env("MOTCUA")
    else:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    app.config["JWT_SECRET_KEY"] = app.config.get("JWT_SECRET_KEY") or app.config["SECRET_KEY"]


def _instance_secret(app: Flask) -> str:
    """A random secret kept in the instance folder, so `make demo` needs no
    setting and sessions survive a restart. Production sets SECRET_KEY."""
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}"
        with open(tmp, "w") as out:
            out.write(os.urandom(32).hex())
        os.replace(tmp, path)
    with open(path) as source:
        return source.read().strip()


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = os.environ.get("MOTCUA_INSTANCE_PATH") or None
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = test_config["INSTANCE_PATH"]
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.url_map.converters["row_id"] = RowIdConverter
    os.makedirs(app.instance_path, exist_ok=True)
    load_settings(app, test_config)
    configure_database(app)

    from builder import models  # noqa: F401  (registers the tables)
    from builder.api.tokens import init_tokens
    from builder.errors_http import register_error_handlers
    from builder.i18n import init_i18n, prepare_catalogs
    from builder.jobs.queue import init_jobs
    from builder.plugins import init_plugins
    from builder.process.published import init_catalogue_cache
    from builder.security import MotcuaSecurityManager

    init_plugins(app)
    init_jobs(app)
    init_catalogue_cache(app)
    init_tokens(app)
    prepare_catalogs(app)
    with app.app_context():
        from builder.portal import PortalIndexView

        appbuilder = AppBuilder(
            update_perms=False,
            indexview=PortalIndexView,
            security_manager_class=MotcuaSecurityManager,
        )
        appbuilder.init_app(app, db.session)
        init_i18n(app)
        from builder.admin import register_admin_views
        from builder.api import register_api
        from builder.identity import identity
        from builder.portal import portal

        register_admin_views(appbuilder)
        register_api(app, appbuilder)
        app.register_blueprint(portal)
        app.register_blueprint(identity)
    register_error_handlers(app)
    vietnam = ZoneInfo(app.config["TIMEZONE"])
    app.context_processor(lambda: {"tz": vietnam})
    app.json.ensure_ascii = False  # Vietnamese as it is, in UTF-8
    app.json.sort_keys = False  # a form's fields keep their order
    _dispose_pool_after_fork(app)
    return app


_ENGINES: "weakref.WeakSet" = weakref.WeakSet()


def _dispose_pool_after_fork(app: Flask) -> None:
    """A forked RQ work horse must not share the parent's connections."""
    with app.app_context():
        _ENGINES.add(db.engine)


def _reset_pools_in_child() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_reset_pools_in_child)
