"""PDF signatures (PAdES/CMS): verification and sealing, with pyHanko.

Reserved module: being written (session 2)."""
