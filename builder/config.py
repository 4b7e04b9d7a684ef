"""Default settings. An instance overrides them in ``instance/config.py`` and
then in the environment (see :func:`builder.app.load_settings`)."""
from __future__ import annotations

from flask_appbuilder.const import AUTH_DB

APP_NAME = "Một Cửa Builder"

# Database: SQLite in the instance folder unless DATABASE_URL says otherwise.
SQLALCHEMY_DATABASE_URI = None  # filled in by create_app from DATABASE_URL or the instance path
SQLALCHEMY_TRACK_MODIFICATIONS = False
# SQLite in WAL mode with synchronous=FULL: durable to the last commit. PostgreSQL
# is the production database; SQLite is the embedded default for one machine.
SQLITE_SYNCHRONOUS = "FULL"
# Our SQLite writers queue on an flock of <database>-writers before they ask
# SQLite for its write lock, so the next one starts as soon as the last one
# commits (SQLite's busy handler would sleep 1, 2, 5, 10 ms... and not be
# woken). Turn off where the database's folder has no working flock.
SQLITE_WRITER_QUEUE = True
# PostgreSQL: a pooled connection idle this long or longer is pinged (one round
# trip) before a request uses it, so a server that restarted costs no request;
# one returned more recently is trusted, as HikariCP does (500 ms). 0 pings on
# every use (SQLAlchemy's pool_pre_ping); SQLALCHEMY_ENGINE_OPTIONS' own
# pool_pre_ping, if set, overrides both.
DATABASE_PING_AFTER_SECONDS = 0.5

# Jobs: with REDIS_URL unset, jobs run in the process right after the commit.
REDIS_URL = None
RQ_QUEUES = ["default", "pdf"]
JOB_RETRIES = 3
OUTBOX_SWEEP_SECONDS = 30  # a worker hands over stranded jobs this often
# how long an app process's hand-over thread lets jobs gather before it posts
# them for the relay in one RPUSH (builder/jobs/handover.py): under load, one
# Redis round trip serves several requests; 0 posts each request's at once
JOB_HANDOVER_GATHER_SECONDS = 0.02
# how long a process keeps published services and agencies before reading them
# again (builder/process/published.py); 0 turns the cache off
CATALOGUE_CACHE_SECONDS = 5
# how long a process keeps an API caller's user, roles and profile: a change
# made on another server (an account deactivated, a role taken away) takes
# effect within this time (builder/security.py); 0 reads them on every call
SIGNED_IN_USER_CACHE_SECONDS = 5
# how many verified bearer tokens a process keeps, so that a token is decoded
# and its signature checked once, not on every call (builder/api/tokens.py);
# revocation and the user are still checked on every call; 0 turns it off
VERIFIED_TOKEN_CACHE_SIZE = 4096
DEADLINE_WATCH_SECONDS = 600  # and runs the deadline watch this often
PAYMENT_POLL_SECONDS = 120  # and asks the gateways about pending payments this often

# Security (Flask-AppBuilder with database auth).
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
FAB_CREATE_DB = False  # tables come from the Alembic migrations (`motcua init`)
FAB_UPDATE_PERMS = False  # permissions are synced by `motcua init`, not at every start
FAB_ADD_SECURITY_API = False
FAB_API_SWAGGER_UI = True
WTF_CSRF_ENABLED = True
JWT_ACCESS_TOKEN_EXPIRES = 3600
FAB_PASSWORD_HASH_METHOD = "scrypt"

# The six roles of DESIGN.md. Admin has every permission; the others get the
# views of their work (granted by `motcua init`, see builder.setup). The API
# and the dossier scoping check roles and agencies themselves.
ROLE_PERMISSIONS = {
    # Admin gets every view's permissions from Flask-AppBuilder too; the plugins
    # page is named here so its grant is explicit and survives a permission cleanup.
    "Admin": {"PluginsView": ["can_plugins", "can_choose"], "Plugins": ["menu_access"],
              "Security": ["menu_access"]},
    "Designer": {
        "ProcedureView": ["can_list", "can_show"],
        "AgencyView": ["can_list", "can_show"],
        "Procedures": ["menu_access"],
        "Agencies": ["menu_access"],
        "Services": ["menu_access"],
        "ProcessDesignerView": ["can_procedures", "can_process"],
        "Process designer": ["menu_access"],
        "FormDesignerView": ["can_forms", "can_form_design"],
        "Form designer": ["menu_access"],
    },
    "Desk": {"DossierView": ["can_list", "can_show"], "Dossiers": ["menu_access"],
             "OfficeView": ["can_queue", "can_dossier", "can_desk"], "Work queue": ["menu_access"],
             "Register a paper dossier": ["menu_access"],
             "One-stop office": ["menu_access"]},
    "Officer": {"DossierView": ["can_list", "can_show"], "Dossiers": ["menu_access"],
             "OfficeView": ["can_queue", "can_dossier"], "Work queue": ["menu_access"],
                "One-stop office": ["menu_access"]},
    "Leader": {"DossierView": ["can_list", "can_show"], "Dossiers": ["menu_access"],
               "OfficeView": ["can_queue", "can_dossier"], "Work queue": ["menu_access"],
               "StatisticsView": ["can_dashboard"], "Statistics": ["menu_access"],
               "One-stop office": ["menu_access"]},
    "Citizen": {},
}
STAFF_ROLES = ("Designer", "Desk", "Officer", "Leader")

# Languages: Vietnamese first, English second.
BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
LANGUAGES = {
    "vi": {"flag": "vn", "name": "Tiếng Việt"},
    "en": {"flag": "gb", "name": "English"},
}
TIMEZONE = "Asia/Ho_Chi_Minh"

# Where citizens reach this instance (QR codes on documents point there).
PUBLIC_URL = "http://127.0.0.1:5000"

# Requests and files.
MAX_CONTENT_LENGTH = 25 * 1024 * 1024  # a whole request; a file is limited below
MAX_JSON_BODY = 2 * 1024 * 1024  # a JSON body of the API
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]

# Dossier codes: <agency code>-<YYMMDD>-<NNNN> (DOMAIN.md).
DOSSIER_CODE_FORMAT = "{agency}-{date:%y%m%d}-{seq:04d}"

# Plugins: settings per plugin name, and the names to leave out.
PLUGINS: dict = {}
PLUGINS_BLOCKED: list = []

# PDF rendering: a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf
# (Debian: fonts-dejavu-core). Vietnamese needs a real Unicode font.
PDF_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"]
