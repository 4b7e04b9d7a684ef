"""Render a document template to PDF with xhtml2pdf.

Vietnamese needs a Unicode font: DejaVu Sans is declared with ``@font-face``
by plain path, and the resource policy allows reads only from the template
folder and the font folder (xhtml2pdf refuses anything else, and a refused
font would silently fall back to Helvetica and turn Vietnamese into boxes;
:func:`render_pdf` checks the font was embedded)."""
from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path

from flask import current_app
from jinja2 import Environment, FileSystemLoader, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from builder.errors import BuilderError

TEMPLATE_DIR = Path(__file__).parent / "templates"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


class RenderError(BuilderError):
    status = 500


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def font_dir(candidates: list[str] | None = None) -> str:
    if candidates is None:
        candidates = current_app.config["PDF_FONT_DIRS"]
    for folder in candidates:
        if all(os.path.exists(os.path.join(folder, name)) for name in FONT_FILES):
            return folder
    raise RenderError(
        f"No folder of {candidates} holds {', '.join(FONT_FILES)}; "
        "install fonts-dejavu-core or set PDF_FONT_DIRS"
    )


@lru_cache(maxsize=1)
def _sandbox() -> SandboxedEnvironment:
    """Templates an admin edited run sandboxed: they may extend ours and use
    the context, nothing else of Python."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def edited_template(name: str) -> str | None:
    """An admin's version of a shipped template, if there is one."""
    from builder.extensions import db
    from builder.models import DocumentTemplate

    try:
        return db.session.scalar(select(DocumentTemplate.html).where(DocumentTemplate.name == name))
    except RuntimeError:  # no app context: shipped templates only
        return None


def check_template(source: str) -> str | None:
    """Why an edited template cannot be used (a syntax error), or None."""
    try:
        _sandbox().from_string(source)
    except TemplateError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def render_html(template: str, **context) -> str:
    edited = edited_template(template)
    if edited is not None:
        return _sandbox().from_string(edited).render(**context)
    return _environment().get_template(template).render(**context)


def html_to_pdf(html: str, fonts: str) -> bytes:
    policy = ResourceAccessPolicy.server(
        base_dir=TEMPLATE_DIR, extra_roots=(Path(fonts),), allow_remote=False
    )
    out = io.BytesIO()
    result = pisa.pisaDocument(
        html, dest=out, path=str(TEMPLATE_DIR / "index.html"), resource_policy=policy,
        encoding="utf-8",
    )
    if result.err:
        raise RenderError(f"xhtml2pdf reported {result.err} error(s)")
    pdf = out.getvalue()
    if b"DejaVuSans" not in pdf:
        raise RenderError("the PDF has no embedded DejaVu font: Vietnamese would not show")
    return pdf


def render_pdf(template: str, **context) -> bytes:
    fonts = font_dir()
    html = render_html(template, font_dir=fonts, **context)
    return html_to_pdf(html, fonts)


def warm_up(fonts: str | None = None) -> None:
    """Import and exercise the renderer once, so forked work horses inherit it
    warm (a cold one pays most of a second per PDF)."""
    fonts = fonts or font_dir(list(_default_font_dirs()))
    html = render_html("warmup.html", font_dir=fonts)
    html_to_pdf(html, fonts)


def _default_font_dirs():
    from builder.config import PDF_FONT_DIRS

    try:
        return current_app.config["PDF_FONT_DIRS"]
    except RuntimeError:
        return PDF_FONT_DIRS
