"""E-mail notifications through SMTP, in Vietnamese.

Reserved module: being written (session 2)."""
