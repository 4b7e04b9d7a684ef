"""Languages: Vietnamese first, English second.

The catalogues live in ``builder/translations`` as ``.po`` files; they are
compiled to ``.mo`` into the instance folder when the app starts (a generated
file never sits in the source tree)."""
from __future__ import annotations

import functools
import os
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session

SOURCE_DIR = Path(__file__).parent / "translations"


def compile_catalogs(target_dir: str) -> str:
    """Compile every ``.po`` newer than its ``.mo`` into ``target_dir``."""
    for po_path in SOURCE_DIR.glob("*/LC_MESSAGES/*.po"):
        relative = po_path.relative_to(SOURCE_DIR).with_suffix(".mo")
        mo_path = Path(target_dir) / relative
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=relative.parts[0])
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)  # atomic: several workers may start at once
    return target_dir


def select_locale(app: Flask) -> str:
    """``?_l_=en``, then the language chosen in the session (the language
    menu), then, for the API only, Accept-Language; else Vietnamese. Pages
    stay Vietnamese on an English browser until the person chooses otherwise.
    Never writes the session."""
    languages = list(app.config["LANGUAGES"])
    default = app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # commands and jobs speak Vietnamese
        return default
    asked = request.args.get("_l_")
    if asked in languages:
        return asked
    chosen = session.get("locale") if request.cookies else None
    if chosen in languages:
        return chosen
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or default
    return default


@functools.cache
def parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def prepare_catalogs(app: Flask) -> None:
    """Before Flask-AppBuilder sets up Flask-Babel: compile our catalogues
    and name their folder (it adds its own in front)."""
    target = compile_catalogs(os.path.join(app.instance_path, "translations"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = target


def init_i18n(app: Flask) -> None:
    """After Flask-AppBuilder: choose the language our way."""
    babel = app.extensions["babel"]
    # a parsed Locale, which Flask-Babel takes as it is: building one checks
    # Babel's data files on disk, once per request otherwise
    babel.locale_selector = lambda: parsed_locale(select_locale(app))
    babel.instance.domain_instance.cache.clear()
