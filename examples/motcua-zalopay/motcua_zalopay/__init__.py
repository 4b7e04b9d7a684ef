"""ZaloPay payments for Một Cửa Builder, packaged as a vendor would: the
plugin is :mod:`motcua_zalopay.gateway`, declared under the host's
``motcua.plugins`` entry points in this package's setup.cfg."""

__version__ = "1.0.0"
