"""`relocsim dashboard`: serve the planner's workbench (a Solara app) on this machine.

Solara and its offline assets come with the `dashboard` extra (`pip install -e ".[dashboard]"`);
solara-assets serves the web front-end from the package, so the page needs no connection.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from sim.cli import arguments

APP = "sim.dashboard.app"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("dashboard", help="serve the interactive dashboard in the browser")
    p.add_argument("--port", type=arguments.port, default=8765,
                   help="port to serve on, 1024 to 65535 (default 8765; 0: any free port)")
    p.add_argument("--host", type=arguments.host, default="127.0.0.1",
                   help="address to listen on: an IP address or host name (default 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=cmd_dashboard)
    return p


def server_command(port: int, host: str, open_browser: bool) -> list[str]:
    """The `solara run` command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", APP, "--port", str(port), "--host", host, "--production",
            "--open" if open_browser else "--no-open", "--no-check-version", "--log-level", "warning"]


OFFLINE_CDN = "http://127.0.0.1:9/"  # the discard port: an asset missing from solara-assets fails here


def server_env() -> dict[str, str]:
    """The environment of the server: no usage statistics sent anywhere, and web assets only from the
    solara-assets package (solara would otherwise fetch a missing one from a public CDN)."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", "SOLARA_ASSETS_CDN": OFFLINE_CDN}


def cmd_dashboard(args) -> int:
    from sim.extras import require_extra

    require_extra("dashboard", "relocsim dashboard")  # a missing extra: exit 2 naming it
    where = f"http://{args.host}:{args.port}" if args.port else f"http://{args.host} on a free port (the server prints which)"
    print(f"relocsim dashboard: serving on {where} (Ctrl-C stops it)")
    try:
        return subprocess.call(server_command(args.port, args.host, not args.no_browser), env=server_env())
    except KeyboardInterrupt:
        return 0
