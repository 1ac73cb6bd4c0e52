"""`relocsim dashboard`: serve the planner's workbench (a Solara app) on this machine.

Solara and its offline assets come with the `dashboard` extra (`pip install -e ".[dashboard]"`);
solara-assets serves the web front-end from the package, so the page needs no connection.
The server is a child process that dies with this one, however this one stops (sim.lifecycle), so
no server is left holding the port. It listens on this machine only unless `--public` is given.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys

from sim.cli import arguments
from sim.inputs import InputError

APP = "sim.dashboard.app"
SLOTS_ENV = "RELOCSIM_DASHBOARD_RUNS"   # how many runs the server makes at once (the rest queue)
PUBLIC_WARNING = ("warning: the dashboard is served to other machines: anyone who can reach {url} can run "
                  "scenarios on this machine (there is no login)")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("dashboard", help="serve the interactive dashboard in the browser")
    p.add_argument("--port", type=arguments.port, default=8765,
                   help="port to serve on, 1024 to 65535 (default 8765; 0: any free port)")
    p.add_argument("--host", type=arguments.host, default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only); an address other machines "
                        "can reach (e.g. 0.0.0.0) needs --public")
    p.add_argument("--public", action="store_true",
                   help="allow --host to be an address other machines can reach: anyone who reaches it can run scenarios")
    p.add_argument("--runs", type=arguments.positive_int, default=None, metavar="N",
                   help="runs made at once for all browser sessions together, the others wait in a queue "
                        "(default: half the cores, at least 1)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    from sim.cli.common import add_language_argument

    add_language_argument(p)   # the language a new browser session starts in; the page can switch
    p.set_defaults(func=cmd_dashboard)
    return p


def is_loopback(host: str) -> bool:
    """Whether an address reaches this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, public: bool) -> None:
    """Refuse (exit 2) an address other machines can reach unless --public says that is meant."""
    if not public and not is_loopback(host):
        raise InputError([f"--host {host}: other machines can reach this address, and anyone who does can run "
                          f"scenarios here; allowed: 127.0.0.1, ::1 or localhost (this machine only), or add "
                          f"--public to serve to other machines on purpose"])


def server_command(port: int, host: str, open_browser: bool) -> list[str]:
    """The `solara run` command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", APP, "--port", str(port), "--host", host, "--production",
            "--open" if open_browser else "--no-open", "--no-check-version", "--log-level", "warning"]


OFFLINE_CDN = "http://127.0.0.1:9/"  # the discard port: an asset missing from solara-assets fails here


def server_env(runs: int | None = None, lang: str | None = None) -> dict[str, str]:
    """The environment of the server: no usage statistics sent anywhere, web assets only from the
    solara-assets package (solara would otherwise fetch a missing one from a public CDN), and the language
    new sessions start in (RELOCSIM_LANG)."""
    from sim.i18n import ENV

    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", "SOLARA_ASSETS_CDN": OFFLINE_CDN}
    if runs is not None:
        env[SLOTS_ENV] = str(runs)
    if lang is not None:
        env[ENV] = lang
    return env


class Stopped(Exception):
    """SIGTERM or SIGHUP arrived: stop the server and exit."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum, _frame):
    raise Stopped(signum)


def cmd_dashboard(args) -> int:
    from sim.extras import require_extra
    from sim.lifecycle import start_child, stop_child

    check_exposure(args.host, args.public)
    require_extra("dashboard", "relocsim dashboard")  # a missing extra: exit 2 naming it
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{args.port}" if args.port else f"http://{shown_host} on a free port (the server prints which)"
    print(f"relocsim dashboard: serving on {url} (Ctrl-C stops it)", flush=True)
    if not is_loopback(args.host):
        print(PUBLIC_WARNING.format(url=url), file=sys.stderr, flush=True)
    handled = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise_stopped) for s in handled}
    proc = None
    try:
        from sim.i18n import language

        proc = start_child(server_command(args.port, args.host, not args.no_browser), env=server_env(args.runs, language()))
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    except Stopped as stop:
        return 128 + stop.signum
    finally:
        for s in handled:   # a second signal while the server stops must not cut the clean-up short
            signal.signal(s, signal.SIG_IGN)
        previous.setdefault(signal.SIGINT, signal.signal(signal.SIGINT, signal.SIG_IGN))
        if proc is not None:
            stop_child(proc)
        for s, old in previous.items():
            signal.signal(s, old)
