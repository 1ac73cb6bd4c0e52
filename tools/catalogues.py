"""Maintain the translation catalogues (gettext, with Babel): extract the message ids, merge them into the
Kazakh and Russian `.po` files, compile the `.mo` files that ship beside them.

    python tools/catalogues.py extract   # sim/locale/relocsim.pot from the code (_, N_, ngettext) and sim.i18n_sources
    python tools/catalogues.py update    # merge the .pot into sim/locale/{kk,ru}/LC_MESSAGES/relocsim.po
    python tools/catalogues.py compile   # write each relocsim.mo from its .po (commit both)
    python tools/catalogues.py missing   # message ids without a translation, per language

The compiled `.mo` files are committed, not built at install time: an editable install, a wheel and a fresh
checkout then read the same files and no build step can be forgotten; tests/test_i18n.py checks that each
`.mo` equals its `.po` compiled now, and that every message id has a translation.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from sim.i18n import DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
POT = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCES = ("sim", "calibration")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def template() -> Catalog:
    """The message ids of the code and of the data (sim.i18n_sources), with where each comes from."""
    from sim.i18n_sources import messages

    cat = Catalog(project="relocsim", domain=DOMAIN, fuzzy=False)
    for folder in SOURCES:
        for filename, lineno, message, comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            cat.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments)
    for message in messages():
        if message not in cat:
            cat.add(message, locations=[("sim/i18n_sources.py", 0)])
    return cat


def read(lang: str) -> Catalog:
    with open(po_path(lang), "rb") as fh:
        return read_po(fh, locale=lang)


def compiled(lang: str) -> bytes:
    """The `.mo` of a language's `.po` as compiled now (fuzzy entries left out, as gettext does)."""
    buf = io.BytesIO()
    write_mo(buf, read(lang))
    return buf.getvalue()


def missing(lang: str, ids: list | None = None) -> list[str]:
    """Message ids (of the template, or `ids`) that the language's catalogue lacks or leaves empty or fuzzy."""
    cat = read(lang)
    out = []
    for mid in ids if ids is not None else [m.id for m in template() if m.id]:
        key = mid if isinstance(mid, str) else mid[0]
        msg = cat.get(key)
        strings = [] if msg is None else (list(msg.string) if isinstance(msg.string, tuple) else [msg.string])
        if msg is None or msg.fuzzy or not strings or not all(strings):
            out.append(key)
    return out


def _write(cat: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, cat, width=120, sort_output=False, ignore_obsolete=True, omit_header=False)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "missing"
    if command == "extract":
        _write(template(), POT)
    elif command == "update":
        pot = template()
        for lang in LANGUAGES[1:]:
            cat = read(lang) if po_path(lang).exists() else Catalog(locale=lang, domain=DOMAIN, project="relocsim")
            cat.update(pot, no_fuzzy_matching=True)
            _write(cat, po_path(lang))
    elif command == "compile":
        for lang in LANGUAGES[1:]:
            mo_path(lang).write_bytes(compiled(lang))
    elif command == "missing":
        gaps = {lang: missing(lang) for lang in LANGUAGES[1:]}
        for lang, ids in gaps.items():
            print(f"{lang}: {len(ids)} missing" + "".join(f"\n  {m!r}" for m in ids[:50]))
        return 1 if any(gaps.values()) else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
