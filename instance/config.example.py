# Copy to instance/config.py and adjust. The environment overrides these
# (DATABASE_URL, REDIS_URL, SECRET_KEY, and any MOTCUA_<NAME>).

# SECRET_KEY = "a long random string; without one, instance/secret_key is made"
# DATABASE_URL = "postgresql://motcua:secret@db.example.internal/motcua"
# REDIS_URL = "redis://127.0.0.1:6379/0"

# Plugins: settings per plugin name, and the names to leave out.
# PLUGINS = {"vnpay": {"tmn_code": "...", "hash_secret": "...", "payment_url": "..."}}
# PLUGINS_BLOCKED = ["log_notifier"]

# ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# PDF_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu"]
