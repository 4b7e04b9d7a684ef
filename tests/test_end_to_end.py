"""One real service end to end: a citizen registers and submits a birth
registration through the API, a real RQ worker process renders the filled
form to PDF, and the agency's officer sees the dossier in the admin."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from redis import Redis
from rq import Queue

from builder import create_app
from builder.extensions import db
from builder.forms.package import import_package
from builder.jobs.relay import LIST_KEY
from tests.conftest import ROOT, fonts_drawing_text, pdf_fonts, pdf_text
from tests.helpers import BA_DINH, handed_over, register_citizen, login, staff, submit_birth
from tests.test_admin import browser_login


@pytest.fixture
def redis_app(app_config, redis_url, birth_package):
    app_config["REDIS_URL"] = redis_url
    application = create_app(app_config)
    with application.app_context():
        import_package(db.session, birth_package)
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def run_worker(app, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOTCUA_INSTANCE_PATH": app.instance_path,
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": app.config["SECRET_KEY"]}
    return subprocess.run([sys.executable, "-m", "builder.cli", "worker", "--burst", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


def test_birth_registration_end_to_end(redis_app, redis_url, birth_package, tmp_path):
    client = redis_app.test_client()
    assert register_citizen(client, "001090012345").status_code == 201
    headers = login(client, "001090012345", "mat-khau-123")
    dossier = submit_birth(client, headers, birth_package, agency=BA_DINH)
    code = dossier["code"]

    # the request only posted the jobs for the workers' relay
    handed_over(redis_app, relay=False)
    connection = Redis.from_url(redis_url)
    # the upload's job and the submission's two, in one RPUSH or two (whatever waited goes together)
    posted = [job for batch in connection.lrange(LIST_KEY, 0, -1) for job in json.loads(batch)]
    assert len(posted) == 3 and Queue("pdf", connection=connection).count == 0
    documents = client.get(f"/api/v1/dossiers/{code}/documents", headers=headers).get_json()
    assert [(d["kind"], d["ready"]) for d in documents] == [("form", False)]

    # a real worker process relays them to RQ and does them (forking work horses)
    result = run_worker(redis_app)
    assert result.returncode == 0, result.stderr[-2000:]
    assert connection.llen(LIST_KEY) == 0 and Queue("pdf", connection=connection).count == 0

    documents = client.get(f"/api/v1/dossiers/{code}/documents", headers=headers).get_json()
    assert [(d["kind"], d["ready"]) for d in documents] == [("form", True)]
    pdf = client.get(documents[0]["url"], headers=headers)
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data, tmp_path)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "TỜ KHAI ĐĂNG KÝ KHAI SINH", code, "Nguyễn Minh Khôi", "Trần Thị Thu Hương",
                     "Bệnh viện Phụ sản Hà Nội", "02/11/2026", "Giới tính", "Nam",
                     "Ủy ban nhân dân Phường Ba Đình"):
        assert expected in text, expected
    # every glyph is drawn with the embedded DejaVu, none with a base-14 fallback
    assert fonts_drawing_text(pdf.data) == {"DejaVuSans", "DejaVuSans-Bold"}
    embedded = {line.split()[0].split("+")[-1]: line.split()[-5] for line in
                pdf_fonts(pdf.data, tmp_path).splitlines()[2:] if line.strip()}
    assert embedded["DejaVuSans"] == embedded["DejaVuSans-Bold"] == "yes"

    # the commune's officer finds it in the back office; the lookup is public
    staff(client, "cong_chuc", "Officer", BA_DINH)
    listing = browser_login(redis_app, "cong_chuc").get("/dossierview/list/").get_data(as_text=True)
    assert code in listing
    lookup = client.get(f"/api/v1/lookup/{code}").get_json()
    assert lookup["status_label"] == "Mới đăng ký, chờ tiếp nhận"
