"""Plugins shipped with Một Cửa Builder. Each registers through the
``motcua.plugins`` entry points, exactly as a vendor's would."""
