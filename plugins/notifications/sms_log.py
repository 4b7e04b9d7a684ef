"""SMS notifications: the hook with a logging implementation.

Reserved module: being written (session 2)."""
