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
from scipy import sparse

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


# Categorical draws: one uniform per household against a cumulative distribution, looked up in a table
# of CATEGORY_BINS equal bins of [0, 1); the few uniforms in a bin that holds a threshold are searched.
CATEGORY_BINS = 4096


def category(u: np.ndarray, cdfs: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """``np.searchsorted(cdfs[group], u, side="right")`` for every element (int8), exactly: the
    number of thresholds of its group's row of `cdfs` (each row sorted) at or below `u` (u >= 0).
    `u` is scratch: it is overwritten.

    What `rng.choice(k, size=n, p=p)` does after its draw (`cdf = p.cumsum(); cdf /= cdf[-1]`),
    without the int64 temporaries and the binary search of every element."""
    cdfs = np.atleast_2d(np.asarray(cdfs, np.float64))
    n_bins = CATEGORY_BINS
    edges = np.arange(n_bins + 1) / n_bins  # exact
    table = np.full((len(cdfs), n_bins + 1), -1, np.int8)  # last bin: u >= 1, always searched
    for g, cdf in enumerate(cdfs):
        lo = np.searchsorted(cdf, edges[:-1], side="right")  # thresholds <= the bin's left edge
        hi = np.searchsorted(cdf, edges[1:], side="left")    # thresholds < the bin's right edge
        table[g, :-1] = np.where(lo == hi, lo, -1)
    x = np.multiply(u, n_bins, out=u)  # exact: a power of two (u / n_bins is u again)
    np.minimum(x, n_bins, out=x)
    idx = x.astype(np.int16)
    if group is not None:
        idx += (n_bins + 1) * group.astype(np.int16)
    out = np.take(table.ravel(), idx)
    del idx
    unsure = np.flatnonzero(out < 0)
    if len(unsure):
        g = np.zeros(len(unsure), np.intp) if group is None else group[unsure].astype(np.intp)
        for k, cdf in enumerate(cdfs):
            sel = unsure[g == k]
            out[sel] = np.searchsorted(cdf, u[sel] / n_bins, side="right")
    return out


def choice_cdf(p: np.ndarray) -> np.ndarray:
    """The cumulative distribution `Generator.choice(k, p=p)` searches (numpy's own two steps)."""
    cdf = np.asarray(p, np.float64).cumsum()
    cdf /= cdf[-1]
    return cdf


class Households:
    """Household attributes as arrays indexed by household id (0..n-1), declared in
    `sim.states.HOUSEHOLD_ATTRIBUTES`: drawn here once, never changed by a phase.

    The population is these draws from `rng`, in this order: a uniform per household for each
    categorical attribute (the one `rng.choice` with probabilities would take), and for each yes/no
    attribute; the heads' ages; the children. Uniforms go into one reused buffer, categories are
    looked up (`category`), and values that depend on few combinations of attributes are computed
    once per combination, as on the arrays, and looked up."""

    def __init__(self, n_by_origin: np.ndarray, rng: np.random.Generator, wage_mci: np.ndarray, b: Behaviour):
        n = int(n_by_origin.sum())
        self.n = n
        u = np.empty(n)  # the uniform of the draw at hand

        def uniform() -> np.ndarray:
            return rng.random(out=u)

        self.origin = np.repeat(np.arange(len(ORIGINS), dtype=np.int8), n_by_origin)
        city = np.array([catalogue()["origin"][o]["settlement"] == "city" for o in ORIGINS])
        cdfs = np.stack([np.cumsum(SETTLEMENT_SHARE_MIXED), np.cumsum(SETTLEMENT_SHARE_CITY)])
        settle = category(uniform(), cdfs, city[self.origin])
        self.settlement = np.minimum(settle, len(SETTLEMENTS) - 1, out=settle)
        rural = np.zeros(max(len(SETTLEMENTS), int(max(RURAL_SETTLEMENTS)) + 1), bool)
        rural[list(RURAL_SETTLEMENTS)] = True
        self.rural_origin = np.take(rural, settle)
        self.female = uniform() < FEMALE_SHARE
        female = self.female
        self.young = uniform() < UNDER_30_SHARE
        age_young, age_old = rng.integers(20, 30, n), rng.integers(30, 60, n)
        self.age = age_old.astype(np.int8)
        np.copyto(self.age, age_young, casting="unsafe", where=self.young)
        del age_young, age_old
        self.education = category(uniform(), choice_cdf(EDUCATION_SHARE / EDUCATION_SHARE.sum()))
        edu = self.education
        self.qualified = (edu <= Education.VOCATIONAL) | ((edu == Education.GENERAL_SECONDARY) & (uniform() < b.general_secondary_qualified))
        cm, cw = np.cumsum(MARITAL_MEN), np.cumsum(MARITAL_WOMEN)
        uniform()
        if cm[-1] != 1.0 or cw[-1] != 1.0:  # the uniform is scaled to the total of the shares
            u *= np.where(female, cw[-1], cm[-1])
        self.marital = category(u, np.stack([cm, cw]), female)
        married = self.marital == Marital.MARRIED
        self.spouse_qualified = married & (uniform() < b.spouse_qualified)
        share_m = np.array(catalogue()["sectors"]["employment_share_men"])
        share_w = np.array(catalogue()["sectors"]["employment_share_women"])
        sector = category(uniform(), np.stack([np.cumsum(share_m) / share_m.sum(), np.cumsum(share_w) / share_w.sum()]), female)
        self.sector = np.minimum(sector, len(SECTORS) - 1, out=sector)
        has_children = uniform() < CHILDREN_SHARE
        size = rng.poisson(b.extra_children_mean, n).astype(np.int16)
        size += 1
        size *= has_children  # children: 1 + Poisson for a family with children
        size += married
        size += 1  # 1 + married + children
        self.size = size
        del has_children
        self.housing_before = category(uniform(), choice_cdf(HOUSING_BEFORE_SHARE / HOUSING_BEFORE_SHARE.sum()))
        self.own_home = self.housing_before == HousingBefore.OWN
        self.bank_loan = uniform() < BANK_LOAN_SHARE
        self.consumer_credit = uniform() < CONSUMER_CREDIT_SHARE
        bank, consumer = np.array([False, True, False, True]), np.array([False, False, True, True])
        debt = (b.debt_payment_mci_bank * bank + b.debt_payment_mci_consumer * consumer).astype(np.float32)
        self.debt_mci = np.take(debt, self.bank_loan + 2 * self.consumer_credit.view(np.int8))
        self.jobless = uniform() < b.origin_jobless_share
        self.centre_contact = self.jobless & (uniform() < b.centre_contact_share)
        # income by (education, jobless, married): code = 4 * education + 2 * jobless + married
        edu_c = np.repeat(np.arange(len(EDUCATION)), 4)
        jobless_c, married_c = np.tile([False, False, True, True], len(EDUCATION)), np.tile([False, True], 2 * len(EDUCATION))
        wage = wage_mci[edu_c]
        income = (np.where(jobless_c, 0.0, wage * b.origin_wage_factor) + married_c * b.second_earner_share * wage_mci[Education.GENERAL_SECONDARY]).astype(np.float32)
        code = edu.astype(np.int8) * 4
        code += 2 * self.jobless.view(np.int8)
        code += married
        self.income_mci = np.take(income, code)
        del code
        uniform()
        u *= b.savings_months_max
        u *= np.maximum(self.income_mci, 10.0)
        self.savings_mci = u.astype(np.float32)
        uniform()
        self.business_intent = np.where(female, u < BUSINESS_INTENT[1], u < BUSINESS_INTENT[0])
        self.eligible = self.qualified | self.spouse_qualified
        self.inactive = female & (uniform() < INACTIVE_WOMEN)

    @property
    def age_group(self) -> np.ndarray:
        """0 = under 30, 1 = 30 and over."""
        return (~self.young).astype(np.int8)


class SocialNetwork:
    """Undirected ties between households as CSR arrays (indptr, indices, kind), built once.

    Each round of ties gives every household one tie to another of its origin block (a self-tie is
    dropped): kin and friends anywhere in the block, neighbours 1 to `neighbour_span` positions
    further along it. Row i holds i's own ties in round order, then the ties others drew to i,
    by round and by the other's id."""

    def __init__(self, hh: Households, rng: np.random.Generator, b: Behaviour):
        n = hh.n
        self.n = n
        counts = np.bincount(hh.origin, minlength=len(ORIGINS))
        bounds = np.concatenate([[0], np.cumsum(counts)])
        blocks = [(int(s), int(e)) for s, e in zip(bounds[:-1], bounds[1:]) if e > s]  # households grouped by origin
        kinds = np.array([0] * b.ties_kin + [1] * b.ties_friend + [2] * b.ties_neighbour, np.int8)
        n_rounds = len(kinds)
        # other[block][r, i]: where in the block the tie of round r of the block's household i ends
        other = [np.empty((n_rounds, e - s), np.int32) for s, e in blocks]
        u = np.empty(n)
        for r, k in enumerate(kinds):
            if k < 2:  # kin, friend: anywhere in the block
                rng.random(out=u)
                for (s, e), o in zip(blocks, other):
                    np.multiply(u[s:e], e - s, out=u[s:e])
                    o[r] = u[s:e]  # truncated, as astype
            else:  # neighbour: 1 to neighbour_span positions further along the block, round the end
                off = rng.integers(1, b.neighbour_span + 1, n)
                for (s, e), o in zip(blocks, other):
                    np.add(np.arange(e - s, dtype=np.int32), off[s:e], out=o[r], casting="unsafe")
                    np.remainder(o[r], e - s, out=o[r])
                del off
        del u
        # self-ties, dropped: flat positions (r * size + i) in each block's `other`
        self_ties = [np.flatnonzero(o == np.arange(o.shape[1], dtype=np.int32)) for o in other]
        total = 2 * (n_rounds * n - sum(len(t) for t in self_ties))
        self.indptr = np.zeros(n + 1, np.int32 if total < 2**31 else np.int64)
        self.indices = np.empty(total, np.int32)
        self.kind = np.empty(total, np.int8)
        # the entries of one block at a time, in buffers sized for the largest block
        largest = max((e - s for s, e in blocks), default=0)
        wide = (2 * n_rounds << _bits(largest)) >= 2**31
        buffers = tuple(np.empty(2 * n_rounds * largest, t) for t in (np.int32, np.int64 if wide else np.int32, np.int8))
        for (s, e), loops in zip(blocks, self_ties):
            self._build_block(s, e, other.pop(0), kinds, loops, buffers)
        self.degree = np.diff(self.indptr).astype(np.float32)

    def _build_block(self, s: int, e: int, other: np.ndarray, kinds: np.ndarray, loops: np.ndarray, buffers) -> None:
        """Rows s..e-1 from the block's own ties `other` (rounds x households, block positions)
        less the self-ties at flat positions `loops`.

        One counting sort (scipy's coo -> csr, stable) groups the ties of both directions by row.
        The entries (row, column, kind), listed in this order: (i, r * 2**bits + other end) for i's
        own tie of round r, then (other end, (rounds + r) * 2**bits + i) for its reverse, with
        2**bits >= the block's size. So each row's columns rise and no two are alike (nothing is
        summed), and the column's low bits are the other end. Self-ties go to an extra last row."""
        size, n_rounds = e - s, len(kinds)
        if n_rounds == 0:
            self.indptr[s + 1:e + 1] = self.indptr[s]
            return
        bits = _bits(size)
        m = 2 * n_rounds * size
        rows, cols, data = (x[:m].reshape(2, n_rounds, size) for x in buffers)
        local = np.arange(size, dtype=np.int32)
        rows[0] = local
        rows[1] = other
        high = np.arange(2 * n_rounds, dtype=cols.dtype) << bits
        np.bitwise_or(other, high[:n_rounds, None], out=cols[0])
        np.bitwise_or(local, high[n_rounds:, None], out=cols[1])
        data[:] = kinds[:, None]
        rows = rows.reshape(-1)
        rows[loops] = size
        rows[m // 2 + loops] = size
        coo = sparse.coo_array((data.reshape(-1), (rows, cols.reshape(-1))), shape=(size + 1, 2 * n_rounds << bits))
        csr = coo.tocsr()
        del coo
        nnz = int(csr.indptr[size])
        a = int(self.indptr[s])
        self.indptr[s + 1:e + 1] = csr.indptr[1:size + 1]
        self.indptr[s + 1:e + 1] += a
        seg = self.indices[a:a + nnz]
        np.bitwise_and(csr.indices[:nnz], (1 << bits) - 1, out=seg, casting="unsafe")
        seg += s
        self.kind[a:a + nnz] = csr.data[:nnz]

    def edges_of(self, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner position in `who`, edge position) for every tie of the households in `who`."""
        starts, lens = self.indptr[who], self.indptr[who + 1] - self.indptr[who]
        total = int(lens.sum())
        owner = np.repeat(np.arange(len(who)), lens)
        offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        return owner, np.repeat(starts, lens) + offs

    def contacts_of(self, who: np.ndarray) -> np.ndarray:
        """The other end of every tie of the households in `who` (int32), in `neighbours`' order."""
        starts = self.indptr[who]
        lens = self.indptr[who + 1] - starts
        ends = np.cumsum(lens)
        pos = np.repeat(starts - (ends - lens), lens)  # a row's first edge less the ties listed before it
        pos += np.arange(int(ends[-1]) if len(ends) else 0, dtype=pos.dtype)
        return self.indices[pos]

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


def _bits(size: int) -> int:
    """Bits that hold a position in a block of `size` households."""
    return max(size - 1, 1).bit_length()


def households_by_origin(scale: float, mean_size: float) -> np.ndarray:
    """Households per origin region: population (IOM Table 7) / mean family size x scale."""
    pops = np.array([catalogue()["origin"][o]["population_2020"] for o in ORIGINS], float)
    return np.maximum(np.round(pops / mean_size * scale), 1).astype(np.int64)
