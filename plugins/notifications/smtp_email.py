"""E-mail notifications through SMTP, in Vietnamese: a multipart message
(plain text and simple HTML) in UTF-8, its subject and sender's name encoded
by RFC 2047, with a link to the dossier's page.

Settings, in ``PLUGINS["smtp_email"]``:

``host``
    the SMTP server (required).
``port``
    default 587 with ``starttls``, 465 with ``ssl``, 25 with ``none``.
``security``
    ``starttls`` (default), ``ssl`` (TLS from the first byte) or ``none``.
``username``, ``password`` or ``password_env``
    to sign in to the server (optional); ``password_env`` names the
    environment variable holding the password, so it stays out of config files.
``from_address``
    the sender, e.g. ``Một Cửa UBND phường <motcua@example.gov.vn>`` (required).
``reply_to`` (optional), ``timeout`` (seconds, default 10), ``ca_file`` (optional)
    a reply address, how long to wait for the server, and a PEM file of the
    authorities to trust for the server's certificate (default: the system's).
"""
from __future__ import annotations

import html
import logging
import os
import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask_babel import gettext as _

from builder import hookimpl
from builder.errors import PluginError
from builder.plugins import plugin_settings
from builder.providers.notification import CHANNEL_EMAIL, Notification
from builder.providers.settings import missing, not_seconds, unset_environment

log = logging.getLogger("motcua.notifications.email")
PLUGIN = "smtp_email"
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 10
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_URL = re.compile(r"(https?://[^\s<>\"]+)")


def _undeliverable(address: str | None) -> bool:
    """No address, or one in a reserved domain that never receives mail
    (accounts without an e-mail get ``<name>@users.invalid``)."""
    return not address or not _ADDRESS.match(address) or address.lower().endswith(".invalid")


def html_body(text: str, url: str | None) -> str:
    """The plain text as simple HTML: paragraphs, line breaks, links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    button = (f'<p><a href="{html.escape(url)}" style="display:inline-block;padding:8px 16px;'
              f'background:#1f5fa8;color:#fff;text-decoration:none;border-radius:4px">'
              f'{html.escape(_("Open the dossier"))}</a></p>') if url else ""
    return ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"></head>\n'
            '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5">\n'
            + "\n".join(paragraphs) + "\n" + button + "\n</body></html>\n")


class SMTPEmail:
    name = "email"
    label = "Thư điện tử (SMTP)"
    channel = CHANNEL_EMAIL

    def __init__(self, settings: dict) -> None:
        self.settings = settings

    # --- settings -----------------------------------------------------------------

    @property
    def security(self) -> str:
        return self.settings.get("security", "starttls")

    @property
    def port(self) -> int:
        return self.settings.get("port") or SECURITY_PORTS.get(self.security, 25)

    def password(self) -> str | None:
        if self.settings.get("password_env"):
            return os.environ.get(self.settings["password_env"])
        return self.settings.get("password")

    def check_config(self) -> list[str]:
        problems = missing(PLUGIN, self.settings, ("host", "from_address"))
        sender = self.settings.get("from_address")
        if isinstance(sender, str) and sender.strip() and not _ADDRESS.match(parseaddr(sender)[1]):
            problems.append(_("%(key)s of %(plugin)s must be an e-mail address.",
                              key="from_address", plugin=PLUGIN))
        if self.security not in SECURITY_PORTS:
            problems.append(_("%(key)s of %(plugin)s must be one of %(values)s.", key="security",
                              plugin=PLUGIN, values=", ".join(SECURITY_PORTS)))
        port = self.settings.get("port")
        if port is not None and (not isinstance(port, int) or isinstance(port, bool)
                                 or not 0 < port < 65536):
            problems.append(_("%(key)s of %(plugin)s must be a port number.", key="port", plugin=PLUGIN))
        problems += not_seconds(PLUGIN, self.settings, "timeout", DEFAULT_TIMEOUT)
        problems += unset_environment(PLUGIN, self.settings, "password_env")
        if self.settings.get("username") and not self.password():
            problems.append(_("%(plugin)s has a username but no password (password or password_env).",
                              plugin=PLUGIN))
        return problems

    # --- sending ------------------------------------------------------------------

    def message(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()  # the default policy: RFC 2047 headers, UTF-8 bodies
        display, address = parseaddr(self.settings["from_address"])
        user, _at, domain = address.partition("@")
        message["From"] = Address(display_name=display, username=user, domain=domain)
        message["To"] = notification.to_email
        if self.settings.get("reply_to"):
            message["Reply-To"] = self.settings["reply_to"]
        message["Subject"] = notification.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=domain or None)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        if notification.dossier_code:
            message["X-Motcua-Dossier"] = notification.dossier_code
        message.set_content(notification.body, charset="utf-8")
        message.add_alternative(html_body(notification.body, notification.url), subtype="html",
                                charset="utf-8")
        return message

    def _connect(self) -> smtplib.SMTP:
        host, timeout = self.settings["host"], self.settings.get("timeout", DEFAULT_TIMEOUT)
        context = ssl.create_default_context(cafile=self.settings.get("ca_file"))
        if self.security == "ssl":
            return smtplib.SMTP_SSL(host, self.port, timeout=timeout, context=context)
        connection = smtplib.SMTP(host, self.port, timeout=timeout)
        if self.security == "starttls":
            connection.starttls(context=context)
        return connection

    def send(self, notification: Notification) -> None:
        """Send one e-mail; any failure (server down, refused) raises, and the
        job that called this is retried."""
        if _undeliverable(notification.to_email):
            return
        problems = self.check_config()
        if problems:
            raise PluginError(f"Plugin {PLUGIN!r} is not configured: {'; '.join(problems)}")
        message = self.message(notification)
        with self._connect() as connection:
            if self.settings.get("username"):
                connection.login(self.settings["username"], self.password())
            refused = connection.send_message(message)
        if refused:  # some recipients refused, the others accepted
            raise smtplib.SMTPRecipientsRefused(refused)
        log.info("e-mail to %s: %s", notification.to_email, notification.subject)


@hookimpl
def register_notifiers(app):
    return [SMTPEmail(plugin_settings(PLUGIN, app))]
