"""Languages: every message id has a Kazakh and a Russian translation with the same placeholders, the compiled
catalogues are those of the .po files, numbers follow the locale, a bad --lang is refused like other bad input,
result CSVs are the same bytes in every language, and compare --brief writes one printable page per language
that holds the command reproducing it."""

from __future__ import annotations

import gettext
import importlib.util
import io
import json
import re
import string
from pathlib import Path

import pytest

from sim import i18n
from sim.cli import main
from sim.labels import format_difference, format_value, label, lever_label

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("catalogues_tool", ROOT / "tools" / "catalogues.py")
catalogues = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogues)
GOLDEN = ROOT / "tests" / "golden" / "baseline"
OTHER = i18n.LANGUAGES[1:]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.fixture(scope="module")
def template():
    return catalogues.template()


@pytest.mark.parametrize("lang", OTHER)
def test_every_message_id_has_a_translation(template, lang):
    missing = catalogues.missing(lang, [m.id for m in template if m.id])
    assert missing == [], f"{lang}: {len(missing)} message id(s) without a translation: {missing[:20]}"


@pytest.mark.parametrize("lang", OTHER)
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for msg in catalogues.read(lang):
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if any(_fields(s) != _fields(ids[0]) for s in strings):
            wrong.append(ids[0])
    assert wrong == [], f"{lang}: placeholders differ from the English in {wrong}"


@pytest.mark.parametrize("lang", OTHER)
def test_shipped_mo_is_the_po_compiled(lang):
    """The .mo committed beside each .po holds exactly its messages (tools/catalogues.py compile after an edit)."""
    shipped = gettext.GNUTranslations(io.BytesIO(catalogues.mo_path(lang).read_bytes()))._catalog
    now = gettext.GNUTranslations(io.BytesIO(catalogues.compiled(lang)))._catalog
    assert shipped == now, f"{catalogues.mo_path(lang)} is stale: run python tools/catalogues.py compile"


def test_text_shown_for_results_and_levers_is_in_the_catalogues(template):
    """What a run's summary, its monthly columns and every shipped scenario's levers are called uses only message
    ids of the catalogues (a key without a label would be written from its English words)."""
    import pandas as pd

    from sim.dashboard import state
    from sim.nested import flatten

    summary = json.loads((GOLDEN / "summary.json").read_text())
    keys = [k for k in flatten(summary) if not k.startswith(("bands_90.", "run.", "replicate_summaries"))]
    keys += list(pd.read_csv(GOLDEN / "monthly.csv", nrows=1).columns)
    with i18n.recording() as asked, i18n.using("kk"):
        for key in keys:
            format_value(key, 1.0), format_difference(key, 2.0), label(key).unit
        for name in state.scenario_names():
            for lev in state.levers(name):
                lev.group_title
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template}
    assert sorted(asked - known) == []


def test_numbers_and_units_follow_the_locale():
    assert format_value("relocated_persons", 43080) == "43,080 persons"
    with i18n.using("ru"):
        assert format_value("relocated_persons", 43080) == "43\xa0080 чел."
        assert format_value("return_share", 0.127) == "12,7%"
        assert [format_value("relocated_households", n) for n in (1, 3, 5)] == ["1 семья", "3 семьи", "5 семей"]
        assert label("return_share_by_destination.north_kazakhstan").text == "Доля возвратов, Северо-Казахстанская область"
        assert lever_label("rent_subsidy.months") == "Месяцев выплаты"
    with i18n.using("kk"):
        assert format_difference("subsidies_paid_tenge.rent", 5_123_513_160) == "+5\xa0124 млн теңге"
        assert label("return_share_by_destination.kostanay").text == "Қайта оралу үлесі, Қостанай облысы"
        assert i18n.date(__import__("datetime").date(2026, 12, 4)).startswith("2026")


def test_bad_language_is_refused_at_the_input_boundary(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["run", "--lang", "fr", "--out", str(out)])
    assert exc.value.code == 2
    assert "argument --lang: fr: not a language of relocsim; allowed: en, kk, ru" in capsys.readouterr().err
    monkeypatch.setenv(i18n.ENV, "KK")
    assert main(["compare", "baseline", "support_2024", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "error: RELOCSIM_LANG=KK: not a language of relocsim; allowed: en, kk, ru"
    assert not out.exists()


@pytest.fixture(scope="module")
def comparison():
    from sim.compare import run_comparison

    return run_comparison(["baseline", "support_2024"], replicates=2, seed=3, scale=0.01,
                          overrides=["time.end_year=2022"])


def test_csv_outputs_are_the_same_in_every_language_and_a_brief_is_written_in_each(comparison, tmp_path, monkeypatch):
    from sim import compare, plots
    from sim.brief import BRIEF, write_brief
    from sim.compare import write_comparison
    from sim.results import write_run

    # the folders' PNGs are drawn by the plots tests (tests/test_plots.py); here the tables and the brief, which
    # draws its own two plots, are written three times, so the other figures are left out to keep this quick
    monkeypatch.setattr(compare, "write_plots", lambda *_args: [])
    monkeypatch.setattr(plots, "write_plots", lambda *_args: None)

    command = ["relocsim", "compare", "baseline", "support_2024", "--replicates", "2", "--seed", "3", "--scale", "0.01",
               "--set", "time.end_year=2022", "--brief"]
    folders, runs = {}, {}
    for lang in i18n.LANGUAGES:
        with i18n.using(lang):
            cmd = command + ([] if lang == "en" else ["--lang", lang])
            folders[lang] = write_comparison(comparison, tmp_path / lang, command=cmd, extras=[write_brief])
            runs[lang] = write_run(comparison.results[1], tmp_path / f"run-{lang}" / "r", ["population.scale=0.01"])
    for folder in (folders, runs):
        names = sorted(p.name for p in folder["en"].glob("*.csv"))
        assert "labels.csv" in names
        for lang in OTHER:
            assert sorted(p.name for p in folder[lang].glob("*.csv")) == names
            for name in names:
                assert (folder[lang] / name).read_bytes() == (folder["en"] / name).read_bytes(), (lang, name)
    labels = (folders["en"] / "labels.csv").read_text(encoding="utf-8")
    assert "Қайта оралу үлесі" in labels and "Доля возвратов" in labels

    headings = {"en": "Headline differences", "kk": "Негізгі айырмалар", "ru": "Основные различия"}
    for lang, folder in folders.items():
        page = (folder / BRIEF).read_text(encoding="utf-8")
        assert f"<html lang='{lang}'>" in page and headings[lang] in page
        assert "@page { size: A4" in page
        assert " ".join(command) in page   # the command that reproduces it
        assert len(re.findall(r"src='data:image/png;base64,", page)) == 2
        assert not re.search(r"(src|href)=['\"]?(https?:|//)|<script|@import|url\(", page), "the brief loads nothing"
        assert BRIEF in json.loads((folder / "compare.json").read_text())["files"]
    with i18n.using("ru"):
        assert label("return_share").text in (folders["ru"] / BRIEF).read_text(encoding="utf-8")
