"""The database extension, unbound; :func:`builder.app.create_app` binds it.

Flask-AppBuilder's ``AppBuilder`` is made anew for each app rather than held
here unbound: it keeps its views and menu on the instance, so one shared
instance would pile up the views of every app a test suite creates. The app's
own is ``app.appbuilder``."""
from __future__ import annotations

from flask_appbuilder.models.sqla.base import SQLA

db = SQLA()
