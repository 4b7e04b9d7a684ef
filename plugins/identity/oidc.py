"""Sign-in through an OpenID Connect identity provider (VNeID, the national portal's SSO).

Reserved module: being written (session 2)."""
