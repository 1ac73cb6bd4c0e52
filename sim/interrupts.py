"""Ctrl-C that cannot be lost.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread is. Some C code clears any
exception raised inside a Python callback it makes: numpy, comparing an array with an IntEnum member,
looks up special attributes on the enum class, whose Python-level `__getattr__` can be where the
interrupt lands, and the exception is dropped (measured: a SIGINT 4 s into a scale-1 run was lost
about one time in ten, and the run went on to write its results and exit 0). The CLI's handler
therefore also remembers the signal, and the model's month loop, its set-up and the atomic writers
raise it again with `check()`.
"""

from __future__ import annotations

import signal
import threading

_pending = False


def _handler(signum, frame) -> None:
    global _pending
    _pending = True
    raise KeyboardInterrupt


def install() -> None:
    """Use the remembering handler for SIGINT, where Python's default one is installed (an ignored
    SIGINT, or a handler of the caller's own, is left alone); clears any earlier interrupt."""
    global _pending
    _pending = False
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handler)


def clear() -> None:
    """Forget an interrupt that has been answered."""
    global _pending
    _pending = False


def check() -> None:
    """Raise KeyboardInterrupt if a SIGINT came and its exception was swallowed on the way."""
    if _pending:
        raise KeyboardInterrupt
