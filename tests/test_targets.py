"""Checks that catch transcription errors in calibration/targets.csv and calibration/official.csv."""
import pytest

from calibration.targets import OFFICIAL_COLUMNS, TARGET_COLUMNS, load_official, load_targets

T = load_targets()
O = load_official()

HOLDOUT_TABLES = {"Table 28", "Table 38", "Table 41", "Table 42"}
EXPECTED_TABLES = {f"Table {n}" for n in
                   (2, 3, 4, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 33, 35, 36, 37, 38, 39,
                    40, 41, 42, 43, 44)}
SAMPLE = {"north_kazakhstan": 85, "east_kazakhstan": 110, "kostanay": 67, "pavlodar": 92}

# Single-answer groups whose printed percentages are known to be internally inconsistent;
# they are skipped in the sum-to-one check (reason given).
KNOWN_INCONSISTENT_GROUPS = {
    ("t38_aid_wait_marital", "married"):
        "still_waiting % column duplicates Table 37's regional values (2.7%), counts sum to 247 not 249",
    ("t38_aid_wait_marital", "divorced"):
        "still_waiting % column duplicates Table 37's regional values (1.5%), counts sum to 38 not 37",
    ("t38_aid_wait_marital", "widowed"):
        "still_waiting % column duplicates Table 37's regional values (1.1%), up_to_month already 100%",
    **{("t44_local_identity", r): "percents of the regional sample; the non-answers (up to 14 a region) are not printed"
       for r in ("north_kazakhstan", "east_kazakhstan", "kostanay", "pavlodar")},
}

# Flag token used in base_note for cells whose printed percent does not follow from count/base.
FLAG = "MISMATCH"


def _single_answer_groups():
    sub = T[(~T["multiple_answers"]) & T["percent_reported"].notna()]
    return sorted(sub.groupby(["target", "group"]).groups.keys())


def test_columns_exact():
    assert list(T.columns) == TARGET_COLUMNS
    assert list(O.columns) == OFFICIAL_COLUMNS


def test_all_requested_tables_present():
    assert set(T["table"]) == EXPECTED_TABLES


def test_every_row_has_source():
    assert (T["source"].str.strip() != "").all()
    assert (O["source"].str.strip() != "").all()
    # source cites the same table as the table column
    assert (T["source"] == "IOM 2021 " + T["table"]).all()


def test_percents_are_fractions():
    p = T["percent_reported"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
    # a percent written as 51.6 instead of 0.516 would fail above; one written as 0.00516 would be tiny
    # relative to its count, caught by the count/base test.


def test_counts_not_above_base():
    sub = T[T["count"].notna() & T["base"].notna()]
    assert (sub["count"] <= sub["base"]).all(), sub[sub["count"] > sub["base"]]


@pytest.mark.parametrize("target,group", _single_answer_groups())
def test_single_answer_groups_sum_to_one(target, group):
    if (target, group) in KNOWN_INCONSISTENT_GROUPS:
        pytest.skip(KNOWN_INCONSISTENT_GROUPS[(target, group)])
    sub = T[(T["target"] == target) & (T["group"] == group)]
    assert sub["percent_reported"].sum() == pytest.approx(1.0, abs=0.02)


def test_single_answer_counts_within_base():
    """For single-answer groups the counts can never add up to more than the base."""
    sub = T[(~T["multiple_answers"]) & T["count"].notna() & T["percent_reported"].notna()]
    for (target, group), g in sub.groupby(["target", "group"]):
        if (target, group) in KNOWN_INCONSISTENT_GROUPS:
            continue
        assert g["count"].sum() <= g["base"].iloc[0], (target, group)


def test_count_over_base_matches_percent():
    sub = T[T["count"].notna() & T["base"].notna() & T["percent_reported"].notna()]
    flagged = sub["base_note"].str.contains(FLAG)
    checked = sub[~flagged]
    diff = (checked["count"].astype(float) / checked["base"].astype(float) - checked["percent_reported"]).abs()
    bad = checked[diff > 0.015]
    assert bad.empty, bad[["target", "group", "cell", "count", "base", "percent_reported"]]
    # the flag is used sparingly: only Table 38's corrupted still_waiting column
    assert set(sub[flagged]["table"]) <= {"Table 38"}


def test_one_base_per_group():
    sub = T[T["base"].notna() & (T["target"] != "t02_sample")]
    n = sub.groupby(["target", "group"])["base"].nunique()
    assert (n == 1).all(), n[n != 1]


def test_table2_bases_sum_to_354():
    t2 = T[(T["target"] == "t02_sample") & (T["cell"] == "carried_out")]
    regions = t2[t2["group"] != "all"].set_index("group")["base"]
    assert regions.to_dict() == SAMPLE
    assert regions.sum() == 354
    assert int(t2[t2["group"] == "all"]["base"].iloc[0]) == 354
    planned = T[(T["target"] == "t02_sample") & (T["cell"] == "planned_target")]
    assert planned[planned["group"] != "all"]["count"].sum() == 350


def test_region_bases_never_exceed_sample():
    sub = T[(T["breakdown"] == "region") & (T["group"] != "all") & (T["target"] != "t02_sample")]
    too_big = sub[sub["base"] > sub["group"].map(SAMPLE)]
    assert too_big.empty, too_big[["target", "group", "base"]]


def test_region_counts_add_up_to_all_row():
    """Each cell's regional counts sum to the printed ALL count (columns of the region tables)."""
    sub = T[(T["breakdown"] == "region") & T["count"].notna() & (T["target"] != "t02_sample")]
    for (target, cell), g in sub.groupby(["target", "cell"]):
        regions = g[g["group"] != "all"]["count"].sum()
        total = g[g["group"] == "all"]["count"].iloc[0]
        assert regions == total, (target, cell, regions, total)


def test_gender_counts_add_up_to_all():
    sub = T[(T["breakdown"] == "gender") & T["count"].notna()]
    for (target, cell), g in sub.groupby(["target", "cell"]):
        by = g.set_index("group")["count"]
        assert by["men"] + by["women"] == by["all"], (target, cell)


def test_holdout_split():
    assert (T[T["table"].isin(HOLDOUT_TABLES)]["split"] == "holdout").all()
    assert (T[~T["table"].isin(HOLDOUT_TABLES)]["split"] == "calibration").all()


def test_uncertain_bases_are_explained():
    """Groups whose base differs from the printed group size must carry a base_note."""
    sub = T[(T["breakdown"] == "region") & (T["group"] != "all") & (T["target"] != "t02_sample")]
    differs = sub[sub["base"] != sub["group"].map(SAMPLE)]
    assert (differs["base_note"].str.strip() != "").all(), differs[["target", "group", "base"]]
    no_count = T[T["count"].isna()]
    assert (no_count["base_note"].str.strip() != "").all()


def test_spot_values():
    """A few cells quoted in the report text."""
    def cell(target, group, c):
        row = T[(T["target"] == target) & (T["group"] == group) & (T["cell"] == c)]
        assert len(row) == 1, (target, group, c)
        return row.iloc[0]
    assert cell("t17_motives", "all", "permanent_employment")["percent_reported"] == pytest.approx(0.516)
    assert cell("t17_motives", "all", "own_housing")["count"] == 123
    assert cell("t13_origin_settlement", "all", "village")["percent_reported"] == pytest.approx(0.322)
    assert cell("t29_housing_search_period", "north_kazakhstan", "prepared_by_authorities")["count"] == 18
    assert cell("t42_adjustment_marital", "divorced", "some_issues_adjusted")["percent_reported"] == pytest.approx(0.541)
    assert cell("t43_relocation_feelings", "women", "no_difficulties")["percent_reported"] == pytest.approx(0.431)
    assert cell("t28_housing_issues", "east_kazakhstan", "problems_search_housing")["percent_reported"] == pytest.approx(0.245)


# ---------------- official.csv ----------------

def _val(target, region, quantity):
    row = O[(O["target"] == target) & (O["region"] == region) & (O["quantity"] == quantity)]
    assert len(row) == 1, (target, region, quantity)
    return int(row["value"].iloc[0])


def test_official_returns_add_up():
    k = _val("t10_returns_by_region", "kostanay", "returnees_persons")
    nk = _val("t10_returns_by_region", "north_kazakhstan", "returnees_persons")
    assert (k, nk) == (275, 495)
    assert k + nk == 770 == _val("es_returns_pooled", "north_kazakhstan+kostanay", "returnees_persons")
    kp = _val("t10_destination", "kostanay", "relocated_persons")
    nkp = _val("t10_destination", "north_kazakhstan", "relocated_persons")
    assert (kp, nkp) == (2441, 6765)
    assert kp + nkp == 9206 == _val("es_returns_pooled", "north_kazakhstan+kostanay", "relocated_persons")


# Table 23 is answered from experienced waits (quota waits included) since issue 8: an outcome
INPUT_TABLES = {"Table 2", "Table 13", "Table 18", "Table 22", "Table 30", "Table 37", "Table 38"}


def test_kinds_follow_the_odd_list_of_inputs():
    """Cells the model draws (docs/ODD.md 8.1) are `input`; Table 12's and Table 29's only in part."""
    assert (T[T["table"].isin(INPUT_TABLES)]["kind"] == "input").all()
    t12 = T[T["target"] == "t12_origin"]
    assert (t12[t12["group"] == "all"]["kind"] == "input").all() and (t12[t12["group"] != "all"]["kind"] == "outcome").all()
    t29 = T[T["target"] == "t29_housing_search_period"].set_index(["group", "cell"])["kind"]
    assert t29[("all", "prepared_by_authorities")] == "input" and t29[("all", "1_2_days")] == "outcome"
    assert (T[(T["target"] == "t42_adjustment_marital") & (T["group"] == "all")]["kind"] == "duplicate").all()
    assert (T[T["table"] == "Table 23"]["kind"] == "outcome").all()
    assert (T[T["table"].isin({"Table 3", "Table 14", "Table 40", "Table 41"}) & (T["target"] != "t41_settlement_share")]["kind"] == "outcome").all()


def test_kind_is_checked(tmp_path):
    bad = tmp_path / "targets.csv"
    bad.write_text(",".join(TARGET_COLUMNS) + "\n"
                   + "t17_motives,Table 17,region,all,x,1,0.5,349,true,calibration,maybe,,IOM 2021 Table 17\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2: kind='maybe'"):
        load_targets(bad)


def test_official_returns_by_region_are_holdout():
    assert (O[O["target"] == "t10_returns_by_region"]["split"] == "holdout").all()
    assert (O[O["target"] == "es_returns_pooled"]["split"] == "calibration").all()


def test_official_2024_totals():
    reg = O[(O["target"] == "y2024_resettled") & (O["quantity"] == "resettled_persons")]
    total = _val("y2024_resettled", "all", "resettled_persons")
    assert reg[reg["region"] != "all"]["value"].sum() == total == 4869
    assert _val("y2024_resettled", "all", "resettled_kandas") + _val("y2024_resettled", "all", "resettled_migrants") == total
    assert _val("y2024_plan", "all", "planned_resettled_persons") == 9483
    out = O[O["target"] == "y2024_outcomes"]
    assert (out["split"] == "holdout").all()
    assert _val("y2024_outcomes", "all", "able_bodied_migrants") + _val("y2024_outcomes", "all", "able_bodied_kandas") \
        == _val("y2024_outcomes", "all", "able_bodied_arrivals") == 2435
    assert _val("y2024_outcomes", "all", "employed") == 1288
    assert _val("y2024_outcomes", "all", "business") == 111


def test_official_table10_parts():
    assert _val("t10_destination", "kostanay", "employed") + _val("t10_destination", "kostanay", "business") \
        == _val("t10_destination", "kostanay", "economically_active")


@pytest.mark.parametrize("origin", ["almaty_region", "zhambyl", "mangystau"])
def test_official_table11_destinations_sum_to_2020_totals(origin):
    d = O[(O["target"] == "t11_origin_destinations_2020") & (O["region"] == origin)]
    persons = d[d["quantity"].str.startswith("persons_to_")]["value"].sum()
    assert persons == _val("t11_origin", origin, "persons_2020")
    fam = d[d["quantity"].str.startswith("families_to_")]["value"]
    if len(fam):
        assert fam.sum() == _val("t11_origin", origin, "families_2020")


def test_official_table11_turkestan_inconsistency_is_flagged():
    d = O[(O["target"] == "t11_origin_destinations_2020") & (O["region"] == "turkestan")]
    assert d[d["quantity"].str.startswith("persons_to_")]["value"].sum() == 1076  # vs 732 printed total
    assert d["note"].str.contains("INCONSISTENT").all()


# ---------------- loader errors ----------------

def test_loader_reports_file_and_row(tmp_path):
    bad = tmp_path / "targets.csv"
    lines = ["t17_motives,Table 17,region,all,x,1,51.6,349,true,calibration,outcome,,IOM 2021 Table 17"]
    bad.write_text(",".join(TARGET_COLUMNS) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"targets\.csv, row 2: .*percent_reported"):
        load_targets(bad)
    bad.write_text(",".join(TARGET_COLUMNS) + "\n"
                   + "t17_motives,Table 17,region,all,x,abc,0.5,349,true,calibration,outcome,,IOM 2021 Table 17\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2: count='abc'"):
        load_targets(bad)
    off = tmp_path / "official.csv"
    off.write_text(",".join(OFFICIAL_COLUMNS) + "\n" + "t,mars,q,1,2020,calibration,outcome,src,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"official\.csv, row 2: unknown region"):
        load_official(off)
