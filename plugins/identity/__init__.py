"""Shipped plugins of this kind, each its own module declared under motcua.plugins."""
