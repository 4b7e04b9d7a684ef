"""The dossier code as a barcode (Code 128) and a QR code, as PNG data URIs
for the document templates. segno and python-barcode write PNG without a
font or a network: a QR code's reader lands on the public lookup page."""
from __future__ import annotations

import base64
import io

import barcode
import segno
from barcode.writer import ImageWriter


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def barcode_png(code: str) -> bytes:
    out = io.BytesIO()
    barcode.get("code128", code, writer=ImageWriter()).write(
        out, options={"write_text": False, "module_height": 9.0, "module_width": 0.25, "quiet_zone": 1.0, "dpi": 200}
    )
    return out.getvalue()


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=1)
    return out.getvalue()


def barcode_uri(code: str) -> str:
    return _data_uri(barcode_png(code))


def qr_uri(text: str) -> str:
    return _data_uri(qr_png(text))
