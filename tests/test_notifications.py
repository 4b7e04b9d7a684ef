"""The applicant is told of every status change: by e-mail through a real
SMTP server (aiosmtpd on a local port), in Vietnamese, and by SMS (the
logging SMS plugin) in a short text without diacritics."""
from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from builder import create_app
from builder.extensions import db
from builder.jobs.queue import flush_outbox
from builder.models import Dossier, JobRecord
from builder.plugins import notifiers
from builder.providers.notification import fit_sms, is_gsm7, sms_segments, unaccented
from tests.helpers import BA_DINH, citizen, login, register_citizen, staff, submit_birth

SMTP_USER, SMTP_PASSWORD = "motcua", "mat-khau-smtp"
SENDER = "Một Cửa phường Ba Đình <motcua@badinh.example.vn>"
APPLICANT = "001090012345@example.vn"


class Inbox:
    """aiosmtpd's handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     authenticator=authenticate, auth_require_tls=False)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_config, smtp, birth_package, monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    app_config["PUBLIC_URL"] = "https://dichvucong.badinh.example.vn"
    app_config["PLUGINS"] = {
        "smtp_email": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "timeout": 5,
                       "username": SMTP_USER, "password_env": "MOTCUA_TEST_SMTP_PASSWORD",
                       "from_address": SENDER},
        "sms_log": {"sender": "UBND-BADINH"},
    }
    app = create_app(app_config)
    from builder.forms.package import import_package

    with app.app_context():
        import_package(db.session, birth_package, published_by="tests")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def act(client, headers, code, action, **body):
    response = client.post(f"/api/v1/dossiers/{code}/actions", headers=headers,
                           json={"action": action, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def sms_sent(app):
    return list(app.extensions["motcua.sms_log"])


def email_jobs(app):
    with app.app_context():
        return [(j.state, j.attempts, j.last_error) for j in db.session.scalars(
            select(JobRecord).where(JobRecord.func == "builder.jobs.tasks.send_notification")
            .order_by(JobRecord.id)) if j.args[1] == "email"]


def test_register_notifiers_offers_email_and_sms(mail_app, app_config):
    app = create_app({**app_config, "PLUGINS": {}})
    with mail_app.app_context():
        offered = notifiers(mail_app)
        assert {n.name: n.channel for n in offered.values()} == {
            "log": "log", "email": "email", "sms_log": "sms"}
        assert offered["email"].check_config() == [] and offered["sms_log"].check_config() == []
    with app.app_context():  # nothing configured: e-mail says what is missing
        problems = [str(p) for p in notifiers(app)["email"].check_config()]
    assert problems == ['Chưa khai báo host trong PLUGINS["smtp_email"].',
                        'Chưa khai báo from_address trong PLUGINS["smtp_email"].']
    with app.app_context():
        db.engine.dispose()


def test_a_status_change_sends_one_email_in_vietnamese(mail_app, smtp, birth_package):
    client = mail_app.test_client()
    submitted = submit_birth(client, citizen(client), birth_package)
    code = submitted["code"]
    assert len(smtp.inbox.envelopes) == 1  # "submitted"
    act(client, staff(client, "mot_cua", "Desk", BA_DINH), code, "receive", comment="Hồ sơ đầy đủ")
    assert len(smtp.inbox.envelopes) == 2
    envelope = smtp.inbox.envelopes[1]
    assert envelope.mail_from == "motcua@badinh.example.vn" and envelope.rcpt_tos == [APPLICANT]
    raw = envelope.original_content.decode("ascii")  # 7-bit clean on the wire
    assert "Subject: =?utf-8?" in raw  # RFC 2047
    message = smtp.inbox.messages()[1]
    assert message["Subject"] == f"Hồ sơ {code}: Được tiếp nhận"
    assert message["From"].addresses[0].display_name == "Một Cửa phường Ba Đình"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    with mail_app.app_context():
        due = db.session.scalar(select(Dossier.due_at).where(Dossier.code == code))
    assert "Kính gửi Ông/Bà Nguyễn Văn Hùng," in text
    assert f"Hồ sơ {code} (Đăng ký khai sinh) của Ông/Bà hiện ở trạng thái: Được tiếp nhận." in text
    assert "Nội dung: Tiếp nhận hồ sơ, do" in text and "Ý kiến của cơ quan: Hồ sơ đầy đủ" in text
    from builder.jobs.tasks import _vn_time

    assert f"Ngày hẹn trả kết quả: {_vn_time(due)}." in text
    lookup = f"https://dichvucong.badinh.example.vn/dich-vu/tra-cuu?code={code}"
    assert f"Tra cứu hồ sơ: {lookup}" in text
    assert f'<a href="{lookup}">' in html and "Kính gửi Ông/Bà Nguyễn Văn Hùng," in html
    assert f'href="https://dichvucong.badinh.example.vn/dich-vu/ho-so/{code}"' in html
    # the SMS channel got the same news, short and without diacritics
    texts = [s.text for s in sms_sent(mail_app)]
    assert texts == [f"Ho so {code}: Moi dang ky, cho tiep nhan.",
                     f"Ho so {code}: Duoc tiep nhan. Hen tra {due_date(due)}."]
    assert {s.to for s in sms_sent(mail_app)} == {"0912345678"}


def test_the_applicant_is_told_what_to_supplement(mail_app, smtp, birth_package):
    client = mail_app.test_client()
    code = submit_birth(client, citizen(client), birth_package)["code"]
    act(client, staff(client, "mot_cua", "Desk", BA_DINH), code, "request_supplement",
        comment="Thiếu bản chính Giấy chứng sinh")
    text = smtp.inbox.messages()[-1].get_body(("plain",)).get_content()
    assert "Ý kiến của cơ quan: Thiếu bản chính Giấy chứng sinh" in text
    assert "Ông/Bà cần bổ sung hồ sơ" in text
    assert f"https://dichvucong.badinh.example.vn/dich-vu/ho-so/{code}" in text
    sms = sms_sent(mail_app)[-1].text
    assert sms == f"Ho so {code}: Yeu cau bo sung giay to. Vui long bo sung ho so."
    assert is_gsm7(sms) and sms_segments(sms) == 1


def test_a_dossier_waiting_for_payment_says_how_much(mail_app, birth_package):
    from builder.jobs.tasks import applicant_notification

    client = mail_app.test_client()
    code = submit_birth(client, citizen(client), birth_package)["code"]
    with mail_app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        dossier.payment_requested = 150000  # what request_payment records (tests/test_pauses.py)
        note = applicant_notification(dossier, 6)
    assert note.subject == f"Hồ sơ {code}: Yêu cầu thực hiện nghĩa vụ tài chính"
    assert "Ông/Bà cần nộp phí, lệ phí 150.000 đồng" in note.body
    assert note.short.endswith("Vui lòng nộp 150.000 đồng.")


def test_smtp_down_the_email_job_fails_and_is_retried(mail_app, smtp, birth_package):
    smtp.stop()
    client = mail_app.test_client()
    code = submit_birth(client, citizen(client), birth_package)["code"]
    [(state, attempts, error)] = email_jobs(mail_app)
    assert (state, attempts) == ("pending", 1) and "Connection refused" in error
    assert len(sms_sent(mail_app)) == 1  # the other channels were not held up
    smtp.start()  # the server is back, on the same port
    with mail_app.app_context():
        flush_outbox()
    assert [state for state, _, _ in email_jobs(mail_app)] == ["done"]
    assert [m["Subject"] for m in smtp.inbox.messages()] == [f"Hồ sơ {code}: Mới đăng ký, chờ tiếp nhận"]
    assert len(sms_sent(mail_app)) == 1  # retrying the e-mail sent no second SMS


def test_email_is_skipped_when_not_configured_or_without_an_address(app, client, library, birth_package):
    submit_birth(client, citizen(client), birth_package)
    assert email_jobs(app) == []  # not configured: no job, nothing fails
    assert [n.dossier_code is not None for n in app.extensions["motcua.log_notifier"].sent] == [True]


def test_an_applicant_without_email_gets_no_email(mail_app, smtp, birth_package):
    client = mail_app.test_client()
    assert register_citizen(client, "001090099999", email="").status_code == 201
    headers = login(client, "001090099999", "mat-khau-123")
    submit_birth(client, headers, birth_package)
    assert email_jobs(mail_app) == [] and smtp.inbox.envelopes == []
    assert len(sms_sent(mail_app)) == 1


@pytest.mark.parametrize("text, expected", [
    ("Hồ sơ đã được tiếp nhận", "Ho so da duoc tiep nhan"),
    ("ĐĂNG KÝ KHAI SINH – Hà Nội", "DANG KY KHAI SINH - Ha Noi"),
    ("Ủy ban nhân dân phường Bến Nghé", "Uy ban nhan dan phuong Ben Nghe"),
    ("Người nộp “Trần Thị Mai”…", 'Nguoi nop "Tran Thi Mai"...'),
])
def test_sms_text_loses_its_diacritics(text, expected):
    assert unaccented(text) == expected and is_gsm7(unaccented(text))


@pytest.mark.parametrize("text, segments", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("[" * 80, 1), ("[" * 81, 2),  # extension characters take two septets
    ("ộ" * 70, 1), ("ộ" * 71, 2), ("ộ" * 134, 2), ("ộ" * 135, 3),  # UCS-2
])
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_fit_sms_cuts_at_a_word():
    text = "Ho so 000.01.01.H26-250101-0001: " + "cho bo sung giay to " * 10
    cut = fit_sms(text)
    assert sms_segments(cut) == 1 and cut.endswith("...") and len(cut) <= 160
    kept = cut[:-3]
    assert text.startswith(kept) and text[len(kept)] == " "  # cut between two words
    next_word = text[len(kept):].split()[0]
    assert sms_segments(f"{kept} {next_word}...") == 2  # and no word more would fit


def due_date(instant) -> str:
    from builder.jobs.tasks import _vn_date

    return _vn_date(instant)
