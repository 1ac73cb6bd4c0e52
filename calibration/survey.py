"""The virtual survey: the model surveyed the way IOM surveyed people.

IOM interviewed 354 relocated persons who still lived in four destination regions in December 2020 -
February 2021 (North Kazakhstan 85, East Kazakhstan 110, Kostanay 67, Pavlodar 92; IOM Table 2).
Returners could not be interviewed. So the survey frame is the model's households living in those
regions in January 2021 (a model snapshot), each answer is derived from the household's simulated
history, and tables are computed in the report's shape with the survey's regional sample sizes:
either by drawing respondents (`draw_respondents`) or, for expected shares, by weighting each
household by its region's sampling fraction (`expected_tables`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.population import HOUSING_BEFORE, MARITAL
from sim.regions import DESTINATIONS, ORIGINS, SECTORS
from sim.schema import BIN_MONTHS, DOCUMENT_BINS, PAYMENT_BINS, PROCESSING_BINS
from sim.states import Channel, DecisionMode, Housing, HousingRoute, Job

SAMPLE_SIZES = {"north_kazakhstan": 85, "east_kazakhstan": 110, "kostanay": 67, "pavlodar": 92}  # IOM Table 2

SETTLEMENT_CELLS = ("regional_capital", "other_large_city", "mid_sized_or_small_town", "large_village", "district_capital", "village")
HOUSING_CELLS = dict(zip(HOUSING_BEFORE, ("own_home", "parents_home", "relatives_friends_home", "dormitory", "rented_home",
                                          "rented_room", "rented_temporary_quarters")))
SECTOR_CELLS = dict(zip(SECTORS, ("services", "education_culture_science", "industry", "transport_communication",
                                  "health_social_protection", "construction", "agriculture", "public")))
PAYMENT_CELLS = dict(zip(PAYMENT_BINS, ("before_departure", "immediately_upon_arrival", "up_to_month", "1_3_months",
                                        "3_6_months", "more_than_6_months", "still_waiting")))

# How the model answers each question it can speak to: target -> (breakdown, answer column, multiple answers).
# Multiple-answer questions are answered by one boolean column per cell ("col:cell").
QUESTIONS = {
    "t03_residence_period": ("region", "residence", False),
    "t04_gender": ("region", "gender", False),
    "t12_origin": ("region", "origin_id", False),
    "t13_origin_settlement": ("region", "settlement_type", False),
    "t14_decision": ("region", "decision", False),
    "t15_information_sources": ("region", "info_source", False),
    "t16_information_sources_gender": ("gender", "info_source", False),
    "t18_housing_before": ("region", "housing_before_cell", False),
    "t22_document_duration": ("region", "documents", False),
    "t23_processing_duration": ("region", "processing", False),
    "t27_arrival_problems": ("gender", ("problems_job", "problems_finding_housing"), True),
    "t28_housing_issues": ("region", ("problems_search_housing",), True),
    "t29_housing_search_period": ("region", "housing_search", False),
    "t30_employment_sector": ("gender", "job_sector_cell", False),
    "t31_job_education_match": ("gender", "job_match", False),
    "t35_aid_purpose": ("region", ("moving_subsidies", "rental_accommodation", "none_received"), True),
    "t36_aid_purpose_gender": ("gender", ("moving_subsidies", "rental_accommodation", "none_received"), True),
    "t37_aid_wait": ("region", "aid_wait", False),
    "t38_aid_wait_marital": ("marital_status", "aid_wait", False),
    "t40_adjustment": ("region", "adjustment", False),
    "t41_adjustment_settlement": ("settlement_type", "adjustment", False),
    "t42_adjustment_marital": ("marital_status", "adjustment", False),
}

# Survey cells the model answers only as a sum (derived cells), and cells it cannot give.
INFO_CHANNELS = {"media_internet": ("mass_media_tv", "internet_social_networks", "official_websites_local_bodies"),
                 "relatives_friends": ("relatives", "friends_acquaintances")}
# the main source of information a respondent names: the channel that made the household aware
INFO_SOURCE_CELLS = {Channel.MEDIA: "media_internet", Channel.EMPLOYMENT_CENTRE: "employment_centre",
                     Channel.NETWORK: "relatives_friends", Channel.RELOCATED_CONTACTS: "friends_already_relocated"}
DERIVED_CELLS = {
    # the model's awareness channels (`Channel`) pool the printed sources: media = mass media, internet and
    # official websites; network = relatives and friends (IOM Tables 15-16)
    "t15_information_sources": INFO_CHANNELS,
    "t16_information_sources_gender": INFO_CHANNELS,
    "t29_housing_search_period": {"within_month": ("1_2_days", "3_7_days", "1_2_weeks", "2_3_weeks", "1_month")},
    "t30_employment_sector": {"public": ("finance", "state_administration", "municipal_social_services", "military_police")},
    # a job outside one's qualification (Job.OTHER) is not "matching fully": partly or not matching
    "t31_job_education_match": {"partly_or_not_matching": ("partly_matching", "not_matching")},
}
EXCLUDED_CELLS = {"hard_to_answer"}  # no simulated household answers "hard to answer": shares are of substantive answers


def survey_frame(snap: dict) -> pd.DataFrame:
    """Households living in the four surveyed regions at the snapshot month, with their answers."""
    dest_ids = np.array(DESTINATIONS)
    keep = np.isin(dest_ids[snap["dest"]], list(SAMPLE_SIZES))
    s = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in snap.items()}
    month = snap["month"]
    since = month - s["arrival_month"]
    f = pd.DataFrame({"household": s["household"], "region": dest_ids[s["dest"]]})
    f["gender"] = np.where(s["female"], "women", "men")
    f["marital_status"] = np.array(MARITAL)[s["marital"]]
    f["settlement_type"] = np.array(SETTLEMENT_CELLS)[s["settlement"]]
    f["age_group"] = np.where(s["young"], "under_30", "30_plus")
    f["months_since_arrival"] = since
    f["residence"] = np.select([since < 12, since < 36, since < 60], ["less_than_year", "1_3_years", "3_5_years"], "over_5_years")
    f["origin_id"] = np.array(ORIGINS)[s["origin"]]
    channel = s["aware_channel"]
    f["info_source"] = np.select([channel == c for c in INFO_SOURCE_CELLS], list(INFO_SOURCE_CELLS.values()), None)
    # Table 14; a household that never chose a destination (UNKNOWN) gives no answer rather than "independently"
    modes = np.array(["independently", "consulted_relatives_friends", "consulted_relocated_relatives_friends"], object)
    chose = s["decision_mode"] != DecisionMode.UNKNOWN
    f["decision"] = np.where(chose, modes[np.maximum(s["decision_mode"], DecisionMode.INDEPENDENT)], None)
    f["housing_before_cell"] = np.array(list(HOUSING_CELLS.values()))[s["housing_before"]]
    # respondents report the months they went through (issue 8): collecting documents, and from
    # application to the decision, including any wait for quota (IOM Tables 22-23)
    f["documents"] = experienced_cell(s["application_month"] - s["collect_month"], DOCUMENT_BINS)
    f["processing"] = experienced_cell(s["approval_month"] - s["application_month"], PROCESSING_BINS)
    searched = s["housing_route"] == HousingRoute.SEARCHED
    waited = (s["housed_month"] < 0) | (s["housed_month"] > s["arrival_month"])
    f["housing_search"] = np.select([s["housing_route"] == HousingRoute.PROVIDED, s["housing_route"] == HousingRoute.PREARRANGED, searched & ~waited],
                                    ["prepared_by_authorities", "arranged_before_arrival", "within_month"], "more_than_month")
    f["problems_search_housing"] = searched & waited
    f["problems_finding_housing"] = f["problems_search_housing"]
    # Table 27: jobless at 6 months, or, arrived under 6 months ago, jobless so far (`job_problems`, adaptation)
    f["problems_job"] = s["job_problems"]
    employed = np.isin(s["job"], (Job.MATCHED, Job.OTHER))
    sector_cells = np.array(list(SECTOR_CELLS.values()))
    f["job_sector_cell"] = np.where(employed, sector_cells[np.maximum(s["job_sector"], 0)], None)
    # Table 31 asked about the job one has: only heads with a job answer (no job, business, inactive: no answer)
    f["job_match"] = np.select([s["job"] == Job.MATCHED, s["job"] == Job.OTHER], ["matching_fully", "partly_or_not_matching"], None)
    f["moving_subsidies"] = s["subsidy_reloc"] > 0
    f["rental_accommodation"] = s["subsidy_rent"] > 0
    f["none_received"] = ~f["moving_subsidies"] & ~f["rental_accommodation"]
    f["aid_wait"] = aid_wait(s, month)
    adapted = since >= s["adapt_needed"]
    f["adjustment"] = np.select([s["adapt_needed"] <= 0, adapted], ["easy_no_issues", "some_issues_adjusted"], "very_difficult_still")
    f["housed"] = s["housing_status"] != Housing.NONE
    return f


def experienced_cell(months: np.ndarray, bins: list[str]) -> np.ndarray:
    """The survey category of a duration in whole months: the last category starting at or before it."""
    lo = np.array([BIN_MONTHS[b][0] for b in bins])
    return np.array(bins)[np.maximum(np.searchsorted(lo, np.maximum(months, 0), side="right") - 1, 0)]


def aid_wait(s: dict, month: int) -> np.ndarray:
    """Table 37 answer from the months between arrival and the first payment, as experienced by the
    snapshot month: still waiting if not yet paid. Within the first month the model cannot tell
    'before departure', 'on arrival' and 'up to a month' apart, so those answers keep the category
    the delay was drawn from (a pure input of IOM Table 37)."""
    cells = np.array(list(PAYMENT_CELLS.values()))
    months = s["pay_month"] - s["arrival_month"]
    later = np.select([months >= 6, months >= 3, months >= 1], [cells[5], cells[4], cells[3]], "")
    same_month = cells[np.minimum(np.maximum(s["pay_bin"], 0), 2)]
    return np.where(s["pay_month"] > month, cells[6], np.where(months >= 1, later, same_month))


def sampling_weights(frame: pd.DataFrame, sizes: dict[str, int] = SAMPLE_SIZES, reach: np.ndarray | None = None) -> np.ndarray:
    """Each household's expected number of inclusions: the survey's regional sample size n_r shared
    over the households there in proportion to `reach` (equally without it: n_r / N_r)."""
    reach = np.ones(len(frame)) if reach is None else np.asarray(reach, float)
    region = frame["region"].to_numpy()
    total = pd.Series(reach).groupby(region).transform("sum").to_numpy()
    return reach * frame["region"].map(sizes).to_numpy(float) / total


def draw_respondents(frame: pd.DataFrame, rng: np.random.Generator, sizes: dict[str, int] = SAMPLE_SIZES) -> pd.DataFrame:
    """A survey sample: `sizes[r]` households per region without replacement (with, if too few)."""
    parts = []
    for region, n in sizes.items():
        pool = np.flatnonzero(frame["region"].to_numpy() == region)
        if len(pool) == 0:
            continue
        pick = rng.choice(pool, size=n, replace=len(pool) < n)
        parts.append(frame.iloc[pick])
    return pd.concat(parts, ignore_index=True)


def tables(frame: pd.DataFrame, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Every modelled table in the report's shape: target, group, cell, share, n (weighted households).

    With `weights` None each row counts once (a drawn sample); with sampling weights the shares are
    the expected shares under IOM's design (stratified by region).
    """
    w = np.ones(len(frame)) if weights is None else weights
    rows = []
    for target, (breakdown, col, multi) in QUESTIONS.items():
        groups = frame[breakdown].to_numpy()
        for g in list(pd.unique(groups)) + ["all"]:
            sel = np.ones(len(frame), bool) if g == "all" else groups == g
            if multi:
                tot = w[sel].sum()
                for c in col:
                    rows.append((target, breakdown, g, c, _share(w[sel & frame[c].to_numpy(bool)].sum(), tot), tot))
            else:
                ans = frame[col].to_numpy()
                ok = sel & pd.notna(ans)
                tot = w[ok].sum()
                for cell in pd.unique(ans[ok]):
                    rows.append((target, breakdown, g, cell, _share(w[ok & (ans == cell)].sum(), tot), tot))
    return pd.DataFrame(rows, columns=["target", "breakdown", "group", "cell", "share", "n"])


def _share(a: float, b: float) -> float:
    return float(a / b) if b > 0 else np.nan


def reachability(frame: pd.DataFrame, recency: float) -> np.ndarray:
    """Relative chance of being reached by the survey, falling by `recency` (log scale) per year since arrival.

    IOM reached respondents through the contacts of employment centres and local bodies ("access to
    displaced persons, the availability of contacts", IOM 2.1), which follow recent participants
    under the social contract more closely; `recency` = 0 is an even sample of all who stayed.
    """
    return np.exp(-recency * frame["months_since_arrival"].to_numpy(float) / 12.0)


def expected_tables(snap: dict, recency: float = 0.0) -> pd.DataFrame:
    """Expected survey shares of one simulated run (design-weighted over the whole frame): within each
    region the survey draws in proportion to reachability, and regions keep their sample sizes."""
    frame = survey_frame(snap)
    return tables(frame, sampling_weights(frame, reach=reachability(frame, recency)))
