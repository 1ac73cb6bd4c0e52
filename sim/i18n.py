"""The language a reader sees: gettext catalogues for words, Babel's locale data for numbers and dates.

English text is the message id; Kazakh (kk) and Russian (ru) come from `sim/locale/<lang>/LC_MESSAGES/
relocsim.po`, compiled to the `.mo` committed beside it (`tools/catalogues.py compile`; a test checks that
each `.mo` matches its `.po`), so an editable install, a wheel and a fresh checkout read the same files.
Only what a reader sees is translated; file names, keys, JSON and CSV stay English (scripts read them).

The language is the process's (`set_language`, from `--lang` or RELOCSIM_LANG) unless a context sets its
own (`using`, `activate`): the dashboard serves several browser sessions, each in its own language.
"""

from __future__ import annotations

import datetime as dt
import gettext
import math
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Iterator

LANGUAGES = ("en", "kk", "ru")
NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}   # each language in its own words
ENV = "RELOCSIM_LANG"
DOMAIN = "relocsim"
LOCALE_DIR = Path(__file__).with_name("locale")
BABEL_LOCALES = {"en": "en_US", "kk": "kk_KZ", "ru": "ru_RU"}

_process = "en"
_recorded: set[str] | None = None   # while `recording`, every message id asked for
_context: ContextVar[str | None] = ContextVar("relocsim_language", default=None)


def language() -> str:
    """The language of the current context, else the process's."""
    return _context.get() or _process


def set_language(lang: str) -> None:
    """The process's language (the command line's `--lang`); `lang` has passed `sim.inputs.check_language`."""
    global _process
    _process = lang


def activate(lang: str) -> None:
    """This context's language from now on (a dashboard session renders in its own)."""
    _context.set(lang)


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Write in `lang` inside the block, e.g. English for files that scripts read."""
    token = _context.set(lang)
    try:
        yield
    finally:
        _context.reset(token)


@lru_cache(maxsize=None)
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(LOCALE_DIR), [lang])


def _(message: str) -> str:
    """`message` in the current language (itself where the catalogue has none)."""
    if _recorded is not None and message:
        _recorded.add(message)
    return _translations(language()).gettext(message) if message else message


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is defined; it is translated where shown, by `_`."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` (Russian has three; Kazakh one)."""
    if _recorded is not None:
        _recorded.add(singular)
    return _translations(language()).ngettext(singular, plural, n)


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the message ids asked for inside the block (the catalogue test: nothing shown lacks a translation)."""
    global _recorded
    _recorded, before = set(), _recorded
    try:
        yield _recorded
    finally:
        _recorded = before


def babel_locale(lang: str | None = None) -> str:
    return BABEL_LOCALES[lang or language()]


@lru_cache(maxsize=None)
def _symbols(lang: str) -> tuple[str, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_group_symbol(BABEL_LOCALES[lang]), get_decimal_symbol(BABEL_LOCALES[lang])


def localise_number(text: str) -> str:
    """A number written by Python's format ("43,080.5") with the current locale's group and decimal
    signs (Russian and Kazakh: "43 080,5"). English is left as Python writes it."""
    lang = language()
    if lang == "en":
        return text
    group, decimal = _symbols(lang)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def number(value: float, spec: str = ",.0f") -> str:
    """`format(value, spec)` in the current locale's signs: number(43080.5, ",.1f") -> "43 080,5" in kk."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _("n/a")
    return localise_number(format(value, spec))


def date(when: dt.date | dt.datetime) -> str:
    """A date as the current locale writes it in full ("30 November 2026", "30 қараша 2026 ж.")."""
    from babel.dates import format_date

    return format_date(when, format="long", locale=babel_locale())
