"""gunicorn, embedded: ``motcua serve`` and the benchmarks use it."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict, factory):
        self.options, self.factory = options, factory
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()


def serve(host: str = "127.0.0.1", port: int = 5000, workers: int = 2, **options) -> None:
    from builder import create_app

    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # sync workers balance evenly; gthread with keep-alive can pin one core
        "worker_class": "sync",
        "control_socket_disable": True,
        "accesslog": "-",
        "timeout": 60,
    }
    settings.update(options)
    _Server(settings, create_app).run()
