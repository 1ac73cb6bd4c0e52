"""`relocsim dashboard`: the browser workbench (sim/dashboard); Solara is imported only by the server."""

from __future__ import annotations


def add_parsers(sub) -> None:
    from sim.dashboard.cli import add_parser

    add_parser(sub)
