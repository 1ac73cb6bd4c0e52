"""Human labels and units of outcomes: the one table that plots, the CLI and the dashboard share.

A key is a dotted outcome name as in `summary.json` (`relocated_persons`,
`subsidies_paid_tenge.rent`, `return_share_by_destination.kostanay`) or a column of `monthly.csv`.
Every outcome has a kind that decides how its values and differences are written: counts of persons
or households, shares (written as percent, differences in percentage points), money in tenge
(written in million tenge) and durations in months.

The tables hold English, the message ids of the catalogues (`N_` marks them); `label`, `format_value` and
the other functions return text in the current language (`sim.i18n`), numbers in its locale's signs;
`sim.i18n_sources` lists the tables' text for the catalogues.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.i18n import N_, _, ngettext, number
from sim.regions import catalogue

COUNT_PERSONS, COUNT_HOUSEHOLDS, SHARE, TENGE, MONTHS, NUMBER = (
    "persons", "households", "share", "tenge", "months", "number")


UNITS = {SHARE: "%", TENGE: N_("million tenge"), NUMBER: "", COUNT_PERSONS: N_("persons"),
         COUNT_HOUSEHOLDS: N_("households"), MONTHS: N_("months")}


@dataclass(frozen=True)
class Label:
    text: str          # what a reader sees: "Relocated persons"
    kind: str          # one of the kinds above
    help: str = ""     # one sentence on what is counted

    @property
    def unit(self) -> str:
        """The unit written beside a value: persons, households, %, million tenge, months."""
        unit = UNITS.get(self.kind, self.kind)
        return _(unit) if unit != "%" else unit

    @property
    def diff_unit(self) -> str:
        """The unit of a difference: percentage points for shares."""
        return _("percentage points") if self.kind == SHARE else self.unit


OUTCOMES: dict[str, Label] = {
    "relocated_persons": Label("Relocated persons", COUNT_PERSONS, "persons who arrived in a destination region"),
    "relocated_households": Label("Relocated households", COUNT_HOUSEHOLDS),
    "relocated_persons_by_destination": Label("Relocated persons", COUNT_PERSONS),
    "applications_households": Label("Applications", COUNT_HOUSEHOLDS, "applications filed, repeats included"),
    "applications_first_households": Label("First applications", COUNT_HOUSEHOLDS,
                                           "households applying for the first time"),
    "approved_households": Label("Approved households", COUNT_HOUSEHOLDS),
    "rejected_households": Label("Rejected applications", COUNT_HOUSEHOLDS),
    "gave_up_households": Label("Households that gave up waiting", COUNT_HOUSEHOLDS),
    "waitlisted_households_end": Label("Households on the wait-list at the end", COUNT_HOUSEHOLDS),
    "returned_persons": Label("Returned persons", COUNT_PERSONS, "relocated persons who went back to the south"),
    "returned_persons_by_reason": Label("Returned persons", COUNT_PERSONS),
    "return_share": Label("Return share", SHARE, "returned persons / relocated persons"),
    "return_share_by_destination": Label("Return share", SHARE),
    "moved_on_households": Label("Households that moved on", COUNT_HOUSEHOLDS,
                                 "left their first destination for another northern region"),
    "in_destination_persons_end": Label("Persons in destination at the end", COUNT_PERSONS),
    "employed_share_12m": Label("Employed at 12 months", SHARE,
                                "working-age arrivals employed 12 months after arrival"),
    "skill_matched_share": Label("Working in their skill", SHARE),
    "subsidies_paid_tenge": Label("Subsidies paid", TENGE),
    "subsidies_paid_tenge.relocation": Label("Relocation subsidy paid", TENGE),
    "subsidies_paid_tenge.rent": Label("Rent subsidy paid", TENGE),
    "subsidies_paid_tenge.employer": Label("Employer subsidy paid", TENGE),
    "subsidies_paid_tenge.total": Label("Budget: subsidies paid", TENGE, "relocation, rent and employer subsidies"),
    "net_subsidies_tenge": Label("Budget net of repayments", TENGE),
    "asked_back_tenge": Label("Repayment asked of returners", TENGE),
    "reimbursed_tenge": Label("Repaid by returners", TENGE),
    "services_cost_tenge": Label("Cost of services given", TENGE,
                                 "orientation, assessments, adaptation services, courses and the women's package, at assumed unit costs"),
    "campaign_cost_tenge": Label("Cost of the information campaign", TENGE,
                                 "extra media reach and centre outreach in the origin regions, at assumed unit costs"),
    "cost_per_retained_person_24m_tenge": Label("Cost per person retained 24 months", TENGE,
                                                "subsidies and services less repayments, per person still in the north 24 months after arrival"),
    "median_application_to_approval_months": Label("Median wait, application to approval", MONTHS),
    "share_approved_within_1_month": Label("Approved within a month", SHARE),
    "arrived_by_july_share": Label("Share of the last year's arrivals by 1 July", SHARE),
    "quota_fill_share": Label("Quota filled", SHARE, "persons arrived / quota"),
    "quota_binding_share": Label("Quotas binding", SHARE,
                                 "share of the quota (persons) in destination-years whose approvals reached 95% of it"),
    "quota_rationed_share": Label("Choices deferred for want of quota room", SHARE,
                                  "share of attempts to choose a region told that no region had room (source 001)"),
    "deferred_decisions_households": Label("Choices deferred for want of quota room", COUNT_HOUSEHOLDS,
                                           "household-months told that no region had quota room"),
    "cumulative_return_share_by_months_since_arrival": Label("Returned by months since arrival", SHARE,
                                                             "persons returned within t months of arrival, cohorts observed t months"),
    # columns of the CSV files that are not outcomes
    "year": Label("Year", NUMBER), "month": Label("Month", NUMBER), "replicate": Label("Replicate", NUMBER),
    "seed": Label("Seed", NUMBER), "scenario": Label("Scenario", NUMBER),
    # monthly.csv columns
    "applications_hh": Label("Applications", COUNT_HOUSEHOLDS),
    "approvals_hh": Label("Approvals", COUNT_HOUSEHOLDS),
    "rejections_hh": Label("Rejections", COUNT_HOUSEHOLDS),
    "arrivals_hh": Label("Arrivals", COUNT_HOUSEHOLDS),
    "arrivals_persons": Label("Arrivals", COUNT_PERSONS),
    "returns_hh": Label("Returns", COUNT_HOUSEHOLDS),
    "moved_on_hh": Label("Moved on", COUNT_HOUSEHOLDS),
    "in_destination_persons": Label("Persons in destination", COUNT_PERSONS),
    "employed_share": Label("Employed arrivals", SHARE),
    "housed_share": Label("Housed arrivals", SHARE),
    "temp_queue": Label("Queue for temporary accommodation", COUNT_HOUSEHOLDS),
    "waitlisted_hh": Label("Wait-list", COUNT_HOUSEHOLDS),
    "aware_hh": Label("Households aware of the programme", COUNT_HOUSEHOLDS),
    "paid_relocation_tenge": Label("Relocation subsidy paid", TENGE),
    "paid_rent_tenge": Label("Rent subsidy paid", TENGE),
    "paid_employer_tenge": Label("Employer subsidy paid", TENGE),
    "reimbursed_tenge_monthly": Label("Repaid by returners", TENGE),
}

GROUPS: dict[str, str] = {
    "men": "Men", "women": "Women", "married": "Married", "single": "Single", "divorced": "Divorced",
    "widowed": "Widowed", "under_30": "Under 30", "30_plus": "30 and over",
    "general_secondary": "General secondary", "incomplete_secondary": "Incomplete secondary", "vocational": "Vocational", "higher": "Higher education",
    "gender": "Gender", "marital_status": "Marital status", "age_group": "Age group", "education": "Education",
}


# Short names of the shipped scenarios (scenarios/*.toml) for legends and tick labels; other
# scenario names are written from their key ("my_variant" -> "My variant").
SCENARIOS: dict[str, str] = {
    "baseline": "Baseline", "adaptation_centres": "Adaptation centres",
    "faster_subsidy_payment": "Faster subsidy payment", "housing_purchase_help": "Help to buy a home",
    "housing_transfers_all_regions": "Housing provided in all regions", "information_package": "Information package",
    "information_campaign": "Information campaign in the origin regions",
    "land_for_farming": "Land for farming", "needs_assessment_orientation": "Needs assessment and orientation",
    "quotas_2024_plan": "Quotas at the 2024 plan", "rent_subsidy_24_months": "Rent subsidy for 24 months",
    "rent_subsidy_by_region_price": "Rent subsidy by regional price", "skills_assessment": "Skills assessment",
    "skills_development_courses": "Skills courses", "subsidy_35_counterfactual": "Relocation subsidy kept at 35 MCI",
    "support_2024": "2024 support package", "women_package": "Package for women",
    "repayment_relocation_only": "Only the relocation subsidy asked back",
    "no_temporary_accommodation": "No temporary accommodation centres",
}


def scenario_label(name: str) -> str:
    """A scenario's name for a reader: `rent_subsidy_24_months` -> "Rent subsidy for 24 months"; a
    repeated name keeps its suffix (`baseline#2` -> "Baseline (2)")."""
    base, _sep, k = name.partition("#")
    text = _(SCENARIOS[base]) if base in SCENARIOS else _humanise(base)
    return f"{text} ({k})" if k else text


# Why households returned (sim.states.ReturnReason), as written in summaries, tables and plots.
RETURN_REASON_LABELS: dict[str, str] = {
    "climate": "Climate and heating", "housing": "Housing", "job": "No job", "money": "Money",
    "family": "Family", "other": "Other reasons",
}

# monthly.csv: returned persons by reason (returned_<reason>_persons)
OUTCOMES.update({f"returned_{r}_persons": Label(f"Returns: {text.lower()}", COUNT_PERSONS) for r, text in RETURN_REASON_LABELS.items()})


def reason_name(reason: str) -> str:
    """`climate` -> "Climate and heating" in the current language."""
    return _(RETURN_REASON_LABELS[reason]) if reason in RETURN_REASON_LABELS else _humanise(reason)


def _tail_name(tail: str) -> str:
    """A key's last part as a reader sees it: a group, a return reason or a region."""
    if tail.isdigit():
        return months_text(int(tail))
    if tail in GROUPS or tail in RETURN_REASON_LABELS:
        return group_name(tail) if tail in GROUPS else reason_name(tail)
    return region_name(tail)


def months_text(n: int) -> str:
    """"12 months" in the current language (its plural forms)."""
    return ngettext("{n} month", "{n} months", n).format(n=n)


def region_name(region_id: str) -> str:
    """`north_kazakhstan` -> "North Kazakhstan region" (from the region catalogue)."""
    cat = catalogue()
    for side in ("origin", "destination"):
        if region_id in cat.get(side, {}):
            return _(cat[side][region_id]["name"])
    return _humanise(region_id)


def short_region_name(region_id: str) -> str:
    """A region as a map or legend names it: "Kostanay" rather than "Kostanay region"."""
    name = catalogue().get("destination", {}).get(region_id) or catalogue().get("origin", {}).get(region_id)
    return _(name["name"].replace(" region", "")) if name else _humanise(region_id)


def group_name(group: str) -> str:
    """`incomplete_secondary` -> "Incomplete secondary"."""
    return _(GROUPS[group]) if group in GROUPS else _humanise(group)


def humanised(key: str) -> str:
    """A key written as English words ("my_variant" -> "My variant"): the message id of a key without a label."""
    text = key.replace("_tenge", "").replace("_hh", "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _humanise(key: str) -> str:
    """A key without a label in the current language (the catalogue names keys of the schema and data)."""
    return _(humanised(key))


def _kind_from_key(key: str) -> str:
    if "share" in key:
        return SHARE
    if key.endswith("tenge") or "_tenge." in key or key.startswith("paid_"):
        return TENGE
    if "persons" in key:
        return COUNT_PERSONS
    if key.endswith("_hh") or "households" in key:
        return COUNT_HOUSEHOLDS
    if "months" in key:
        return MONTHS
    return NUMBER


def _translated(lab: Label) -> Label:
    return Label(_(lab.text), lab.kind, _(lab.help))


def _part(base: Label, name: str) -> Label:
    """An outcome for one region, group or reason: "Return share, Kostanay region"."""
    return Label(_("{outcome}, {part}").format(outcome=base.text, part=name), base.kind, base.help)


def label(key: str) -> Label:
    """The label of any outcome key in the current language; a region or group suffix is named after the
    label ("Return share, Kostanay region"); unknown keys get a readable fallback, never an error."""
    if key in OUTCOMES:
        return _translated(OUTCOMES[key])
    for sep in (".", "_persons_"):
        if sep not in key:
            continue
        head, _sep, tail = key.rpartition(sep) if sep == "." else key.partition(sep)
        if sep == "_persons_":   # monthly columns such as arrivals_persons_kostanay
            base = OUTCOMES.get(f"{head}_persons")
            base = _translated(base) if base is not None else Label(_humanise(head), COUNT_PERSONS)
            return _part(base, _tail_name(tail))
        if head in OUTCOMES:
            return _part(_translated(OUTCOMES[head]), _tail_name(tail))
        if head.split(".")[0] in OUTCOMES:   # quota_fill_share.kostanay.2017: the region's label, then the year
            return _part(label(head), tail if re.fullmatch(r"[12][0-9]{3}", tail) else _tail_name(tail))
        if head.startswith("breakdowns."):
            parts = head.split(".")  # breakdowns.<dimension>.<group>.<outcome>
            if len(parts) == 3:
                return _part(label(tail), group_name(parts[2]))
    return Label(_humanise(key), _kind_from_key(key))


def _format(key: str, value: float | None, sign: str) -> str:
    """Write a value (`sign` "") or a difference (`sign` "+") in its outcome's unit and the current locale."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _("n/a")
    kind = label(key).kind
    if kind == SHARE:
        return number(100 * value, f"{sign}.1f") + ("%" if not sign else " " + _("pp"))
    if kind == TENGE:
        digits = "0" if abs(value) >= 1e7 else "2"
        return _("{value} million tenge").format(value=number(value / 1e6, f"{sign},.{digits}f"))
    if kind == MONTHS:
        return _("{value} months").format(value=number(value, f"{sign}.1f"))
    if kind in (COUNT_PERSONS, COUNT_HOUSEHOLDS):
        text, n = number(value, f"{sign},.0f"), abs(round(value))
        if kind == COUNT_PERSONS:
            return ngettext("{value} person", "{value} persons", n).format(value=text)
        return ngettext("{value} household", "{value} households", n).format(value=text)
    return number(value, f"{sign},.3g")


def format_value(key: str, value: float | None) -> str:
    """A value as a reader wants it: "43,080 persons", "12.7%", "5,735 million tenge"."""
    return _format(key, value, "")


def format_difference(key: str, diff: float | None) -> str:
    """A difference between scenarios: shares in percentage points, money in million tenge."""
    return _format(key, diff, "+")


def axis_label(key: str) -> str:
    """A plot axis label with its unit: "Relocated persons (persons)" is written "Relocated persons"."""
    lab = label(key)
    if lab.kind in (COUNT_PERSONS, COUNT_HOUSEHOLDS) and lab.unit.lower() in lab.text.lower():
        return lab.text
    return f"{lab.text} ({lab.unit})" if lab.unit else lab.text


def scale_for_plot(key: str, values):
    """Values in the unit of `axis_label`: shares x100, tenge /1e6."""
    kind = label(key).kind
    if kind == SHARE:
        return values * 100
    if kind == TENGE:
        return values / 1e6
    return values


# --------------------------------------------------------------------------- scenario levers
# Titles of the schema's groups of levers (sim/schema.py) and words of their keys, for the dashboard.

LEVER_GROUPS: dict[str, str] = {
    "time": "Simulated years", "population": "Population", "mci_tenge": "Monthly calculation index (MCI)",
    "relocation_subsidy": "Relocation subsidy", "rent_subsidy": "Rent and utilities subsidy",
    "employer_subsidy": "Employer subsidy", "temporary_accommodation": "Temporary accommodation",
    "housing": "Housing", "quotas": "Annual quotas", "vacancies": "Vacancies", "delays": "Delays",
    "services": "Services for participants", "repayment": "Repayment by returners",
    "behaviour": "Behavioural parameters (calibrated)",
}
LEVER_WORDS: dict[str, str] = {
    "mci": "MCI", "hh": "households", "start_year": "First year", "end_year": "Last year",
    "mean_household_size": "Persons per household", "mci_per_member": "MCI per family member",
    "mci_per_hire": "MCI per hire", "min_months": "Months a hire must last", "take_up": "Take-up",
    "months": "Months paid", "urban_mci_small": "Town, small family (MCI/month)",
    "urban_mci_large": "Town, large family (MCI/month)", "rural_mci_small": "Village, small family (MCI/month)",
    "rural_mci_large": "Village, large family (MCI/month)", "large_family_from": "Large family from (persons)",
    "by_region_price": "Scaled by regional rent level", "places_per_month": "Places per month (households)",
    "provided_share": "Share housed by the authorities", "purchase_help_share": "Share helped to buy a home each year",
    "index": "Vacancy index", "monthly_turnover": "Monthly turnover", "land_for_farming": "Land for farming",
    "region_index": "Vacancy index by region", "sector_index": "Vacancy index by sector",
    "rule": "What returners repay", "contract_months": "Social contract (months)", "mci_tenge": "Tenge per MCI",
    "documents": "Time to collect documents", "processing": "Time to process an application",
    "moving": "Time to move", "payment": "Time to the first payment", "less_than_month": "under a month",
    "up_to_month": "up to a month", "over_year": "over a year", "over_6_months": "over 6 months",
    "before_departure": "before departure", "on_arrival": "on arrival", "still_waiting": "still waiting",
}


def lever_group(key: str) -> str:
    """The title of the group a dotted scenario key belongs to: `rent_subsidy.months` -> "Rent and utilities subsidy"."""
    head = key.split(".", 1)[0]
    return _(LEVER_GROUPS[head]) if head in LEVER_GROUPS else _humanise(head)


def lever_label(key: str) -> str:
    """A lever's label: `rent_subsidy.months` -> "Months paid"; `quotas.kostanay.2017` ->
    "Kostanay region, from 2017"; `housing.provided_share.abay` -> "Share housed by the authorities, Abay region"."""
    parts = key.split(".")
    parts = parts[1:] if len(parts) > 1 and not parts[1].isdigit() else parts
    words, year, where = [], None, None
    for p in parts:
        span = re.fullmatch(r"(\d+)_(\d+)_months", p)
        if span:
            words.append(_("{first}-{last} months").format(first=span[1], last=span[2]))
            continue
        if p.isdigit():
            year = p
        elif p in catalogue().get("destination", {}) or p in catalogue().get("origin", {}):
            where = region_name(p)
        elif p in catalogue().get("sectors", {}).get("ids", []):
            where = _humanise(p)
        else:
            words.append(_(LEVER_WORDS[p]) if p in LEVER_WORDS else group_name(p))
    text = ", ".join(w for w in [": ".join(words[-2:]) if words else "", where] if w)
    if year is not None:
        text = _("{lever}, from {year}").format(lever=text, year=year) if text else _("From {year}").format(year=year)
    return text or _humanise(key)


LEVER_UNITS = (("mci", N_("MCI")), ("tenge", N_("tenge")), ("share", N_("share 0-1")), ("chance", N_("probability 0-1")),
               ("months", N_("months")), ("persons", N_("persons")), ("households", N_("households")),
               ("multiplier", N_("multiplier")), ("year", N_("year")))


def lever_unit(doc: str, integer: bool = False) -> str:
    """The unit of a lever, read from its schema text (English): MCI, months, share, persons, households or none."""
    d = doc.lower()
    for word, unit in LEVER_UNITS:
        if word in d:
            return _(unit)
    return _("whole number") if integer else ""
