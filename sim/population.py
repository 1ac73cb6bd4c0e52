"""The synthetic population of origin-region households, one numpy array per attribute.

Marginal distributions follow the profile of surveyed participants (IOM section 2.1, Figure 1-2,
Tables 13, 18, 30 and the text on debts); selection into the programme then happens through the
decision weights, which calibration adjusts so that simulated participants match the survey.
Numbers without a source are behavioural parameters labelled "assumed" in the schema
(`sim.schema.BEHAVIOUR`, read here through the run's `Behaviour`); the marginals kept here cite their source.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.params import Behaviour
from sim.regions import ORIGINS, SECTORS, catalogue
from sim.states import Education, HousingBefore, Marital, Settlement

# Settlement type before departure (IOM Table 13 order).
SETTLEMENTS = tuple(s.name.lower() for s in Settlement)  # regional_capital, other_large_city, ..., village
# IOM Table 13 (ALL REGIONS: 41/92/24/28/55/114 of 354) split by origin type with Table 12: the 105
# respondents from Almaty, Nur-Sultan and Shymkent all lived in large cities; the other 28 large-city
# respondents came from the regional capitals of the mixed regions. Hence, for the mixed regions,
# 28 regional capital, 0 other large city, 24 town, 28 large village, 55 district capital, 114 village
# (of 249), and for the cities 13 regional capital and 92 other large city (of 105).
SETTLEMENT_SHARE_MIXED = np.array([28, 0, 24, 28, 55, 114], float) / 249
SETTLEMENT_SHARE_CITY = np.array([13, 92, 0, 0, 0, 0], float) / 105
RURAL_SETTLEMENTS = (Settlement.LARGE_VILLAGE, Settlement.VILLAGE)  # 40.1% of respondents (IOM 3.2.2 "countryside" 41.1%)

EDUCATION = tuple(e.name.lower() for e in Education)  # higher, vocational, general_secondary, incomplete_secondary
# 45% higher and 27.7% incomplete secondary (IOM 2.1 with Figure 1); the rest split 0.20 / 0.073
# between vocational and general secondary: assumption guided by NK arrivals (30% higher, 38% vocational, IOM 3.4.3).
EDUCATION_SHARE = np.array([0.45, 0.20, 0.073, 0.277])

MARITAL = tuple(s.name.lower() for s in Marital)  # single, married, divorced, widowed
# IOM 2.1: men 76.5% married, 4 divorced of 183 (2.2%); women 63.8% married, 33 divorced (19.3%), 3 widowed (1.8%).
MARITAL_MEN = np.array([0.213, 0.765, 0.022, 0.0])
MARITAL_WOMEN = np.array([0.151, 0.638, 0.193, 0.018])
FEMALE_SHARE = 0.483          # 171 of 354 respondents (IOM 2.1)
UNDER_30_SHARE = 0.38         # IOM 2.1, Figure 2
CHILDREN_SHARE = 0.76         # 269 of 354 reported having children (IOM 2.1)

HOUSING_BEFORE = tuple(h.name.lower() for h in HousingBefore)  # own, parents, relatives, ..., temporary_quarters
# IOM Table 18 ALL REGIONS (hard to answer, 1.1%, folded into parents' home)
HOUSING_BEFORE_SHARE = np.array([0.282, 0.327, 0.040, 0.025, 0.254, 0.042, 0.025])
BANK_LOAN_SHARE = 0.39        # "between 38 and 40 per cent ... bank credits ... still active" (IOM 3.3.3)
CONSUMER_CREDIT_SHARE = 0.155 # ~14% in three regions, 21.7% in Pavlodar (IOM 3.3.3)
# Business intent: opportunities for own business named by 26.5% of men and 12.9% of women (IOM Table 20).
BUSINESS_INTENT = (0.265, 0.129)
# 25 of 171 surveyed women were on maternity leave (IOM 2.1): such heads do not seek work.
INACTIVE_WOMEN = 0.146

# Social network: ties drawn within the origin region (kin and friends) and among nearby households
# (neighbours); how many, and how far neighbours are, are behavioural parameters (ties_*, neighbour_span).
TIE_KINDS = ("kin", "friend", "neighbour")


class Households:
    """Household attributes as arrays indexed by household id (0..n-1), declared in
    `sim.states.HOUSEHOLD_ATTRIBUTES`: drawn here once, never changed by a phase."""

    def __init__(self, n_by_origin: np.ndarray, rng: np.random.Generator, wage_mci: np.ndarray, b: Behaviour):
        n = int(n_by_origin.sum())
        self.n = n
        self.origin = np.repeat(np.arange(len(ORIGINS), dtype=np.int8), n_by_origin)
        city = np.array([catalogue()["origin"][o]["settlement"] == "city" for o in ORIGINS])
        in_city = city[self.origin]
        u = rng.random(n)
        self.settlement = np.where(in_city, np.searchsorted(np.cumsum(SETTLEMENT_SHARE_CITY), u, side="right"),
                                   np.searchsorted(np.cumsum(SETTLEMENT_SHARE_MIXED), u, side="right")).astype(np.int8)
        self.settlement = np.minimum(self.settlement, len(SETTLEMENTS) - 1)
        settle = self.settlement
        self.rural_origin = np.isin(settle, RURAL_SETTLEMENTS)
        self.female = rng.random(n) < FEMALE_SHARE
        self.young = rng.random(n) < UNDER_30_SHARE
        self.age = np.where(self.young, rng.integers(20, 30, n), rng.integers(30, 60, n)).astype(np.int8)
        self.education = rng.choice(len(EDUCATION), size=n, p=EDUCATION_SHARE / EDUCATION_SHARE.sum()).astype(np.int8)
        self.qualified = (self.education <= Education.VOCATIONAL) | ((self.education == Education.GENERAL_SECONDARY) & (rng.random(n) < b.general_secondary_qualified))
        u = rng.random(n)
        cm, cw = np.cumsum(MARITAL_MEN), np.cumsum(MARITAL_WOMEN)
        self.marital = np.where(self.female, np.searchsorted(cw, u * cw[-1], side="right"),
                                np.searchsorted(cm, u * cm[-1], side="right")).astype(np.int8)
        married = self.marital == Marital.MARRIED
        self.spouse_qualified = married & (rng.random(n) < b.spouse_qualified)
        share_m = np.array(catalogue()["sectors"]["employment_share_men"])
        share_w = np.array(catalogue()["sectors"]["employment_share_women"])
        u = rng.random(n)
        self.sector = np.where(self.female, np.searchsorted(np.cumsum(share_w) / share_w.sum(), u, side="right"),
                               np.searchsorted(np.cumsum(share_m) / share_m.sum(), u, side="right")).astype(np.int8)
        self.sector = np.minimum(self.sector, len(SECTORS) - 1)
        has_children = rng.random(n) < CHILDREN_SHARE
        children = np.where(has_children, 1 + rng.poisson(b.extra_children_mean, n), 0)
        self.size = (1 + married + children).astype(np.int16)
        self.housing_before = rng.choice(len(HOUSING_BEFORE), size=n, p=HOUSING_BEFORE_SHARE / HOUSING_BEFORE_SHARE.sum()).astype(np.int8)
        self.own_home = self.housing_before == HousingBefore.OWN
        self.bank_loan = rng.random(n) < BANK_LOAN_SHARE
        self.consumer_credit = rng.random(n) < CONSUMER_CREDIT_SHARE
        self.debt_mci = (b.debt_payment_mci_bank * self.bank_loan + b.debt_payment_mci_consumer * self.consumer_credit).astype(np.float32)
        self.jobless = rng.random(n) < b.origin_jobless_share
        self.centre_contact = self.jobless & (rng.random(n) < b.centre_contact_share)
        wage = wage_mci[self.education]
        self.income_mci = (np.where(self.jobless, 0.0, wage * b.origin_wage_factor) + married * b.second_earner_share * wage_mci[Education.GENERAL_SECONDARY]).astype(np.float32)
        self.savings_mci = (rng.random(n) * b.savings_months_max * np.maximum(self.income_mci, 10.0)).astype(np.float32)
        self.business_intent = rng.random(n) < np.where(self.female, BUSINESS_INTENT[1], BUSINESS_INTENT[0])
        self.eligible = self.qualified | self.spouse_qualified
        self.inactive = self.female & (rng.random(n) < INACTIVE_WOMEN)

    @property
    def age_group(self) -> np.ndarray:
        """0 = under 30, 1 = 30 and over."""
        return (~self.young).astype(np.int8)


class SocialNetwork:
    """Undirected ties between households as CSR arrays (indptr, indices, kind), built once."""

    def __init__(self, hh: Households, rng: np.random.Generator, b: Behaviour):
        n = hh.n
        src, dst, kind = [], [], []
        # households are stored grouped by origin; kin/friends are drawn within the origin block
        starts = np.searchsorted(hh.origin, np.arange(len(ORIGINS)))
        ends = np.searchsorted(hh.origin, np.arange(len(ORIGINS)), side="right")
        block_start, block_len = starts[hh.origin], (ends - starts)[hh.origin]
        ids = np.arange(n)
        for k, ties in ((0, b.ties_kin), (1, b.ties_friend)):
            for _ in range(ties):
                other = block_start + (rng.random(n) * block_len).astype(np.int64)
                src.append(ids), dst.append(other), kind.append(np.full(n, k, np.int8))
        for _ in range(b.ties_neighbour):
            off = rng.integers(1, b.neighbour_span + 1, n)
            other = block_start + (ids - block_start + off) % np.maximum(block_len, 1)
            src.append(ids), dst.append(other), kind.append(np.full(n, 2, np.int8))
        s, d, kd = np.concatenate(src), np.concatenate(dst), np.concatenate(kind)
        keep = s != d
        s, d, kd = s[keep], d[keep], kd[keep]
        rows, cols, kinds = np.concatenate([s, d]), np.concatenate([d, s]), np.concatenate([kd, kd])
        order = np.argsort(rows, kind="stable")
        self.indices = cols[order].astype(np.int32)
        self.kind = kinds[order]
        self.indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=self.indptr[1:])
        self.degree = np.diff(self.indptr).astype(np.float32)
        self.n = n

    def edges_of(self, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner position in `who`, edge position) for every tie of the households in `who`."""
        starts, lens = self.indptr[who], self.indptr[who + 1] - self.indptr[who]
        total = int(lens.sum())
        owner = np.repeat(np.arange(len(who)), lens)
        offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        return owner, np.repeat(starts, lens) + offs

    def neighbours(self, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner position in `who`, neighbour id) for all ties of the households in `who`."""
        owner, pos = self.edges_of(who)
        return owner, self.indices[pos].astype(np.int64)

    def to_networkx(self, households: np.ndarray | None = None) -> nx.MultiGraph:
        """The ties among `households` (all if None) as a networkx graph, for inspection."""
        who = np.arange(self.n) if households is None else np.asarray(households, np.int64)
        owner, pos = self.edges_of(who)
        a, b = who[owner], self.indices[pos].astype(np.int64)
        keep = np.isin(b, who) & (a < b)
        g = nx.MultiGraph()
        g.add_nodes_from(who.tolist())
        for x, y, k in zip(a[keep], b[keep], self.kind[pos][keep]):
            g.add_edge(int(x), int(y), kind=TIE_KINDS[int(k)])
        return g


def households_by_origin(scale: float, mean_size: float) -> np.ndarray:
    """Households per origin region: population (IOM Table 7) / mean family size x scale."""
    pops = np.array([catalogue()["origin"][o]["population_2020"] for o in ORIGINS], float)
    return np.maximum(np.round(pops / mean_size * scale), 1).astype(np.int64)
