"""``motcua``: the operator's command line (DESIGN.md, "Operating it")."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from builder.errors import BuilderError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIBRARY = REPO_ROOT / "form_library"


def _app():
    from builder import create_app

    return create_app()


def _fail(error: BuilderError) -> None:
    extra = error.extra.get("errors")
    detail = "\n".join(f"  {k}: {'; '.join(map(str, v))}" for k, v in (extra or {}).items())
    raise click.ClickException(str(error.message) + (f"\n{detail}" if detail else ""))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """Một Cửa Builder: operate an instance."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--demo", is_flag=True, help="Add demo agencies and accounts and import the form library.")
def init(demo: bool) -> None:
    """Create or upgrade the database and load the agencies."""
    from builder.setup import initialise

    app = _app()
    with app.app_context():
        try:
            summary = initialise(demo=demo, library=DEFAULT_LIBRARY)
        except BuilderError as error:
            _fail(error)
    for line in summary:
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Flask's development server with reloading.")
def serve(host: str, port: int, workers: int, debug: bool) -> None:
    """Serve the app (gunicorn, sync workers)."""
    if debug:
        _app().run(host=host, port=port, debug=True)
        return
    from builder.server import serve as gunicorn_serve

    gunicorn_serve(host=host, port=port, workers=workers)


@main.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then stop.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@click.argument("queues", nargs=-1)
def worker(burst: bool, simple: bool, queues: tuple[str, ...]) -> None:
    """An RQ worker inside the app context."""
    from builder.jobs.worker import run_worker

    app = _app()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs already run inside the app.")
    run_worker(app, list(queues) or app.config["RQ_QUEUES"], burst=burst, simple=simple)


@main.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@click.option("--role", required=True, type=click.Choice(["Admin", "Designer", "Desk", "Officer", "Leader", "Citizen"]))
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--agency", "agency_code", help="Agency code (required for staff).")
@click.option("--name", "full_name", help="Full name.")
@click.option("--email")
def user_create(role, username, password, agency_code, full_name, email) -> None:
    """Create a staff (or admin) account."""
    from builder.accounts import create_staff

    app = _app()
    with app.app_context():
        try:
            create_staff(username, password, role, agency_code, full_name, email)
        except BuilderError as error:
            _fail(error)
    click.echo(f"created {role} {username}")


@main.group()
def library() -> None:
    """Service packages."""


@library.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def library_import(paths: tuple[Path, ...]) -> None:
    """Import and publish service packages (default: form_library/)."""
    from builder.setup import import_library

    app = _app()
    with app.app_context():
        try:
            for line in import_library(list(paths) or [DEFAULT_LIBRARY]):
                click.echo(line)
        except BuilderError as error:
            _fail(error)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def plugins(as_json: bool) -> None:
    """List the installed plugins, their hooks and whether they are configured."""
    from builder.plugins import plugin_info

    app = _app()
    with app.app_context():
        info = plugin_info(app)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for plugin in info:
        state = "configured" if plugin["configured"] else "NOT configured: " + "; ".join(plugin["problems"])
        click.echo(f"{plugin['name']} {plugin['version'] or ''} [{plugin['kind']}] {state}")
        click.echo(f"    hooks: {', '.join(plugin['hooks'])}")


@main.group()
def jobs() -> None:
    """The job outbox."""


@jobs.command("flush")
def jobs_flush() -> None:
    """Hand every pending job over (to RQ, or run it here without Redis)."""
    from builder.jobs.queue import flush_outbox

    app = _app()
    with app.app_context():
        click.echo(f"{flush_outbox()} job(s) handed over")


@jobs.command("relay")
def jobs_relay() -> None:
    """Relay the jobs the app servers post to RQ until stopped (every worker
    does this too; a process of its own keeps it apart from the jobs)."""
    import signal
    import threading

    from builder.jobs.queue import redis_connection
    from builder.jobs.relay import run_relay

    app = _app()
    connection = redis_connection(app)
    if connection is None:
        raise click.ClickException("REDIS_URL is not set: jobs already run inside the app.")
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    click.echo("relaying posted jobs to RQ (Ctrl-C stops)")
    run_relay(app, connection, stop)


@jobs.command("watch")
def jobs_watch() -> None:
    """Flag dossiers due soon or overdue and tell their handlers (run from cron
    when no worker runs; workers do it every DEADLINE_WATCH_SECONDS)."""
    from builder.process.watch import watch_deadlines

    app = _app()
    with app.app_context():
        counts = watch_deadlines()
    click.echo(f"overdue: {counts['overdue']}, due soon: {counts['due_soon']}")


@jobs.command("poll-deliveries")
def jobs_poll_deliveries() -> None:
    """Ask the postal carriers where the parcels on their way are, and place
    the postal orders not yet placed (run from cron when no worker runs;
    workers do it every DELIVERY_POLL_SECONDS)."""
    from builder.delivery import poll_deliveries

    app = _app()
    with app.app_context():
        counts = poll_deliveries()
    click.echo(f"polled: {counts['polled']}, events recorded: {counts['recorded']}, "
               f"orders placed: {counts['placed']}, failed: {counts['failed']}")


@jobs.command("poll-payments")
def jobs_poll_payments() -> None:
    """Ask the gateways how the pending payments stand and settle them, and
    fetch missing e-receipts (run from cron when no worker runs; workers do
    it every PAYMENT_POLL_SECONDS)."""
    from builder.process.payments import poll_payments

    app = _app()
    with app.app_context():
        counts = poll_payments()
    click.echo(f"paid: {counts['paid']}, cancelled: {counts['cancelled']}, still waiting: "
               f"{counts['waiting']}, receipts: {counts['receipts']}, errors: {counts['errors']}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
