"""The result of a dossier (kết quả), issued when a leader approves it into
status 9: the PDF(s) the approving leader attaches, or else the service
package's result template rendered by a worker. Every result is stored as a
document of the dossier the applicant can download (level 4: the result online).

Here the files are checked and stored before the approval's transaction;
``builder.jobs.result_tasks`` makes them documents after it commits."""
from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from builder import storage
from builder.errors import Conflict, InvalidData, TooLarge, UnsupportedType

RESULT_KIND = "result"
MAX_RESULT_FILES = 10
_RESULT_KIND = re.compile(r"^result(-([2-9]|10))?$")


@dataclass(frozen=True)
class ResultFile:
    filename: str
    data: bytes


def result_kind(index: int) -> str:
    """The document kind of the ``index``-th result file: ``result``,
    ``result-2``, ... (one document per kind and dossier)."""
    return RESULT_KIND if index == 0 else f"{RESULT_KIND}-{index + 1}"


def is_result_kind(kind: str) -> bool:
    return bool(_RESULT_KIND.match(kind))


def files_from_json(value: Any) -> list[ResultFile]:
    """``[{"filename": "...", "content": "<base64>"}, ...]`` of a JSON body."""
    invalid = _("The result is not valid.")
    if not isinstance(value, list):
        raise InvalidData(invalid, {"results": [_("Must be a list of files.")]})
    files = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            raise InvalidData(invalid, {f"results.{index}.content": [_("This field is required.")]})
        try:
            data = base64.b64decode(item["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidData(invalid, {f"results.{index}.content": [_("Must be base64.")]}) from exc
        name = item.get("filename")
        files.append(ResultFile(name if isinstance(name, str) and name.strip() else f"{result_kind(index)}.pdf",
                                data))
    return files


def check_files(files: list[ResultFile]) -> None:
    """Each result is a readable PDF of at least one page, of the attachment
    size limit at most; 413, 415 or 422 otherwise."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if len(files) > MAX_RESULT_FILES:
        raise InvalidData(_("The result is not valid."),
                          {"results": [_("At most %(n)s files.", n=MAX_RESULT_FILES)]})
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    for index, file in enumerate(files):
        if len(file.data) > limit:
            raise TooLarge(_("A file may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
        if not file.data.startswith(b"%PDF-"):
            raise UnsupportedType(_("The result %(name)s is not a PDF file.", name=file.filename))
        try:
            pages = len(PdfReader(io.BytesIO(file.data)).pages)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise InvalidData(_("The result is not valid."),
                              {f"results.{index}": [_("The PDF file cannot be read.")]}) from exc
        if pages == 0:
            raise InvalidData(_("The result is not valid."),
                              {f"results.{index}": [_("The PDF file has no page.")]})


def store_files(files: list[ResultFile]) -> list[dict]:
    """Store the files (content-addressed) and describe them for the history."""
    return [{"filename": file.filename[-255:], "sha256": storage.store_bytes(file.data), "size": len(file.data)}
            for file in files]


def result_template(package: dict) -> str | None:
    """The package's result template (``templates.result``: HTML with Jinja,
    rendered sandboxed), or None; 409 when it cannot be rendered."""
    from builder.documents.render import check_template

    source = (package.get("templates") or {}).get("result")
    if source is None:
        return None
    problem = check_template(source) if isinstance(source, str) else _("it is not text")
    if problem is not None:
        raise Conflict(_("The result template of this service is broken (%(problem)s); attach the result "
                         "as a PDF file instead.", problem=problem))
    return source
