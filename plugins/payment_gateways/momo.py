"""MoMo e-wallet gateway.

Reserved module: being written (session 2)."""
