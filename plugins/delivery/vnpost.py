"""VNPost (Bưu điện Việt Nam) postal delivery of dossiers and results.

Reserved module: being written (session 2)."""
