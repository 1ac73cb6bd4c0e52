"""The programme's rules: annual quotas, subsidy amounts, payment timing and repayment on return.

Year-level values are evaluated once per simulated year from the scenario's schedules; the
per-household bookkeeping (what was paid, what was asked back) lives in the model's arrays.
"""

from __future__ import annotations

import numpy as np

from sim.drift import destination_drift
from sim.maths import logit, sigmoid
from sim.regions import DESTINATIONS, ORIGINS, SECTORS
from sim.scenario import Scenario
from sim.schema import BIN_MONTHS, SERVICE_COSTS

SUBSIDY_TYPES = ("relocation", "rent", "employer")


def quota_by_year(sc: Scenario) -> np.ndarray:
    """(year x destination) quota in persons: a published plan as it is; before `quota_rule.plan_from`,
    the assumed arrivals of the year times (1 + slack), an upper bound that need not bind (issue 8)."""
    d = sc.data
    base = np.stack([sc.by_year(d["quotas"][r]) for r in DESTINATIONS], axis=1)
    rule = d["quota_rule"]
    assumed = np.asarray(sc.years) < int(rule["plan_from"])
    return np.round(base * np.where(assumed, 1.0 + float(rule["slack"]), 1.0)[:, None])


class Programme:
    """Schedules of the scenario as (year x region) arrays, and the draw of delays."""

    def __init__(self, sc: Scenario):
        d = sc.data
        self.mci = sc.by_year(d["mci_tenge"])
        self.reloc_mci = sc.by_year(d["relocation_subsidy"]["mci_per_member"])
        self.employer_mci = sc.by_year(d["employer_subsidy"]["mci_per_hire"])
        self.employer_take_up = float(d["employer_subsidy"]["take_up"])
        self.employer_min_months = sc.by_year(d["employer_subsidy"]["min_months"]).astype(int)
        self.quota = quota_by_year(sc)  # year x dest, persons
        self.even_release = d["quota_rule"]["monthly_release"] == "even"
        self.applicants_informed = d["quota_rule"]["applicants_informed"] == "yes"
        self.informed_months = int(d["quota_rule"]["informed_months"])
        self.vacancy_index = sc.by_year(d["vacancies"]["index"])
        self.turnover = float(d["vacancies"]["monthly_turnover"])
        self.land_for_farming = float(d["vacancies"]["land_for_farming"])
        v = d["vacancies"]
        self.vacancy_multiplier = np.outer([v["region_index"][r] for r in DESTINATIONS], [v["sector_index"][s] for s in SECTORS])
        self.temp_places = np.array([d["temporary_accommodation"]["places_per_month"][r] for r in DESTINATIONS], float)
        self.provided_share = np.array([d["housing"]["provided_share"][r] for r in DESTINATIONS], float)
        self.purchase_help = float(d["housing"]["purchase_help_share"])
        hs = d["housing"]
        self.provided_poor = np.array([hs["provided_poor_share"][r] for r in DESTINATIONS], float)
        self.rental_offers = np.array([hs["rental_offers_per_month"].get(r, 1e5) for r in DESTINATIONS], float)
        self.certificate = sc.by_year(hs["certificate_coverage"])
        self.business_grant = sc.by_year(d["business_support"]["grant_coverage"])
        rs = d["rent_subsidy"]
        self.rent_months = int(rs["months"])
        self.rent_mci = np.array([[rs["urban_mci_small"], rs["urban_mci_large"]], [rs["rural_mci_small"], rs["rural_mci_large"]]], float)
        self.large_family_from = int(rs["large_family_from"])
        self.rent_by_region = rs["by_region_price"] == "yes"
        sv = d["services"]
        self.orientation = sc.by_year(sv["orientation_coverage"])
        self.needs_assessment = sc.by_year(sv["needs_assessment_coverage"])
        self.adaptation_services = sc.by_year(sv["adaptation_services_coverage"])
        self.courses = sc.by_year(sv["courses_coverage"])
        self.skills_assessment = sc.by_year(sv["skills_assessment_coverage"])
        self.women_package = sc.by_year(sv["women_package_coverage"])
        self.orientation_by_region = sv["orientation_by_region"] == "yes"
        self.service_cost_mci = {service: float(sv[f"{service}_cost_mci"]) for service, _, _ in SERVICE_COSTS}
        ic = d["information_campaign"]
        self.campaign_media = sc.by_year(ic["media_extra"])
        self.campaign_centre = sc.by_year(ic["centre_extra"])
        self.campaign_on = (self.campaign_media > 0) | (self.campaign_centre > 0)
        self.campaign_coverage = np.array([ic["origin_coverage"].get(o, 1.0) for o in ORIGINS], float)
        self.campaign_decide_shift = float(ic["decide_shift"])
        self.campaign_cost_mci = (float(ic["media_cost_mci"]), float(ic["centre_cost_mci"]))
        self.repayment_rule = d["repayment"]["rule"]
        self.contract_months = int(d["repayment"]["contract_months"])
        self.delays = {k: self._delay_table(v) for k, v in d["delays"].items()}
        self.payment_by_region = d["payment_timing"]["by_region"] == "yes"
        self.destination_drift = destination_drift(np.asarray(sc.years), d["destination_drift"])  # year x dest
        self.active = np.array([self.quota[:, j] > 0 for j in range(len(DESTINATIONS))]).T  # year x dest

    @staticmethod
    def _delay_table(probs: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        labels = list(probs)
        p = np.array([probs[k] for k in labels], float)
        lo = np.array([BIN_MONTHS[k][0] for k in labels])
        hi = np.array([BIN_MONTHS[k][1] for k in labels])
        return np.cumsum(p) / p.sum(), lo, hi

    def draw_delay(self, kind: str, u_bin: np.ndarray, u_within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(months, category) of a delay drawn from the survey's duration categories.

        The category is kept so that the virtual survey can answer in the survey's own terms.
        """
        return _draw(*self.delays[kind], u_bin, u_within)

    def draw_payment_delay(self, world, dest: np.ndarray, u_bin: np.ndarray, u_within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(months, category) from arrival to the first payment: from the destination's row of IOM
        Table 37 where the survey covered it and `payment_timing.by_region` is on, else `delays.payment`."""
        months, cat = self.draw_delay("payment", u_bin, u_within)
        if not self.payment_by_region:
            return months, cat
        _cdf, lo, hi = self.delays["payment"]
        for j, counts in enumerate(world.payment_counts):
            here = dest == j
            if counts is None or not here.any():
                continue
            months[here], cat[here] = _draw(np.cumsum(counts) / np.sum(counts), lo, hi, u_bin[here], u_within[here])
        return months, cat

    def orientation_chances(self, world, y: int, dest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per arrival, the chance of orientation before moving and, if oriented, of being told about the
        destination locality, its winters included (IOM Table 25 and footnote 6).

        By region, a region's reach sits around the year's national coverage as its survey share sits
        around the pooled one (a shift in log-odds), so full national coverage still reaches everyone."""
        cov = float(self.orientation[y])
        if not self.orientation_by_region:
            return np.full(len(dest), cov), np.full(len(dest), world.told_destination_pooled)
        told = world.told_destination_share[dest]
        if not 0.0 < cov < 1.0:
            return np.full(len(dest), cov), told
        return sigmoid(logit(cov) + logit(world.oriented_share[dest]) - logit(world.oriented_pooled)), told

    def campaign_terms(self, y: int) -> tuple[float, float, bool]:
        """The year's campaign: extra media reach, extra centre outreach, and whether it runs."""
        return float(self.campaign_media[y]), float(self.campaign_centre[y]), bool(self.campaign_on[y])

    def rent_subsidy_mci(self, size: np.ndarray, rural: np.ndarray, price_index: np.ndarray) -> np.ndarray:
        """Monthly rent and utilities subsidy in MCI by locality and family size (IOM 3.4.5)."""
        amount = self.rent_mci[rural.astype(int), (size >= self.large_family_from).astype(int)]
        return amount * price_index if self.rent_by_region else amount

    def repayment_due(self, reloc: np.ndarray, other: np.ndarray, months_in: np.ndarray) -> np.ndarray:
        """Tenge a returner is asked to repay under the social contract (IOM 3.4.4); households
        anticipate it (sim.behaviour.return_hazards)."""
        inside = months_in < self.contract_months
        if self.repayment_rule == "none":
            return np.zeros_like(reloc)
        due = reloc if self.repayment_rule == "relocation" else reloc + other
        return np.where(inside, due, 0.0)


def _draw(cdf: np.ndarray, lo: np.ndarray, hi: np.ndarray, u_bin: np.ndarray, u_within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(months, category): the category from its cumulative shares, the months uniform within its range."""
    b = np.minimum(np.searchsorted(cdf, u_bin, side="right"), len(cdf) - 1)
    return (lo[b] + np.floor(u_within * (hi[b] - lo[b] + 1))).astype(np.int16), b.astype(np.int8)
