"""The database extension, unbound; :func:`builder.app.create_app` binds it.

Flask-AppBuilder's ``AppBuilder`` is made anew for each app rather than held
here unbound: it keeps its views and menu on the instance, so one shared
instance would pile up the views of every app a test suite creates. The app's
own is ``app.appbuilder``."""
from __future__ import annotations

from flask_appbuilder.models.sqla.base import SQLA

# Objects stay readable after a commit: a request builds its answer from what
# it just wrote instead of reading it all again.
db = SQLA(session_options={"expire_on_commit": False})
