"""The `autogestion` command line.

`serve` runs the ASGI server, `worker` the background task queue (and, beside it, the
periodic jobs such as meeting reminders); every other word is a Django management
command (`migrate`, `demo`, `createsuperuser`, `send_reminders`, `shell -c ...`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autogestion.config.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        print("\nUsage: autogestion serve [--host H] [--port P] [--workers N] | worker | <command>")
        argv = ["help"]
    if argv[0] == "serve":
        serve(argv[1:])
        return
    # `autogestion export-ledger` is Django's `export_ledger`: dashes read better in a shell.
    argv[0] = argv[0].replace("-", "_")
    if argv[0] == "worker":
        import django

        django.setup()
        from autogestion.core import worker

        worker.run(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["autogestion", *argv])


def serve(args: list[str]) -> None:
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(prog="autogestion serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    parser.add_argument("--ws-compression", action="store_true",
                        help="compress websocket frames (off by default: room updates are "
                             "small, and compressing one per screen costs more CPU than it "
                             "saves)")
    options = parser.parse_args(args)
    uvicorn.run(
        "autogestion.config.asgi:application",
        host=options.host,
        port=options.port,
        workers=options.workers,
        # The client's address is decided in one place, by Django (TRUSTED_PROXY_COUNT):
        # uvicorn would let anything connecting from a "trusted" address name itself
        # through X-Forwarded-For, and so dodge the per-address log-in limits.
        proxy_headers=False,
        lifespan="off",
        ws_per_message_deflate=options.ws_compression,
    )


if __name__ == "__main__":
    main()
