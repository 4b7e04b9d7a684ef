"""Every message a user reads has its Vietnamese translation."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated_to_vietnamese(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "lazy_gettext", "-k", "_l", "-k", "_", "-o", str(pot),
                    str(ROOT / "builder"), str(ROOT / "plugins")],
                   check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as source:
        wanted = {m.id for m in read_po(source) if m.id}
    # the extraction itself must have worked, or this test proves nothing
    assert {"This field is required.", "Online public services", "Result returned"} <= wanted
    with (ROOT / "builder/translations/vi/LC_MESSAGES/messages.po").open("rb") as source:
        catalogue = {m.id: m.string for m in read_po(source) if m.id}
    missing = sorted(m for m in wanted if not catalogue.get(m))
    assert missing == [], "run tools/vi_catalog.py after adding the translations"


def test_language_follows_the_request(client):
    assert client.get("/api/v1/nothing").get_json()["message"] == "Không tìm thấy."
    english = client.get("/api/v1/nothing", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.get_json()["message"] == "Not found."
    assert client.get("/api/v1/nothing?_l_=en").get_json()["message"] == "Not found."
    home = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Dịch vụ công trực tuyến" in home and "Đăng nhập" in home  # pages: Vietnamese first
    assert "Online public services" in client.get("/?_l_=en").get_data(as_text=True)


def test_a_request_reuses_the_parsed_languages(client, monkeypatch):
    """Building a babel Locale looks for its data file on disk: each language
    is parsed once per process, not once per request."""
    from babel import localedata

    client.get("/api/v1/nothing")
    client.get("/api/v1/nothing", headers={"Accept-Language": "en"})
    looked_up = []
    original = localedata.exists
    monkeypatch.setattr(localedata, "exists", lambda name: looked_up.append(name) or original(name))
    assert client.get("/api/v1/nothing").get_json()["message"] == "Không tìm thấy."
    assert client.get("/api/v1/nothing", headers={"Accept-Language": "en"}).get_json()["message"] == "Not found."
    assert looked_up == []
