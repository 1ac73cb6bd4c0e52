"""Figures printed in the IOM 2021 text rather than in its tables, scored on the virtual survey
(issue 10, item 5). Each is a share of the 354 respondents, computed on the same design-weighted
survey frame as the tables (`calibration.survey`).

- income sources (IOM 3.3.3, after Table 17): 181 respondents named wages as their only income,
  20 income from business and 35 "supplementary income apart from wages". The text's percents
  (44.6%, 4.9%, 8.6%) are of 406 answers; the model's household answers once, so the share of
  respondents (181/354, 20/354, 35/354) is scored. Wages only is an employed head without a side
  business; supplementary income is an employed head with one (`side_business`); business is the
  head's own business (issue 19: the question offered supplementary income as an answer of its own).
  Outcomes; the calibration has never used them, so they are hold-outs.
- heads under 30 (IOM 2.1, Figure 2: "over 38 per cent"): an input, `UNDER_30_SHARE` (selection
  changes it only through `decide_w_young`).
- education (IOM 2.1, Figure 1: 45% higher, 27.7% incomplete secondary): inputs, `EDUCATION_SHARE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibration.survey import SAMPLE_SIZES, reachability, sampling_weights, survey_frame
from sim.regions import DESTINATIONS
from sim.states import Education, Job

N = 354
# target, cell, count, kind, split
TEXT_TARGETS = [
    ("text_income_sources", "wages_only", 181, "outcome", "holdout"),
    ("text_income_sources", "business", 20, "outcome", "holdout"),
    ("text_income_sources", "supplementary_income", 35, "outcome", "holdout"),
    ("fig2_age", "under_30", 0.38 * N, "input", "calibration"),
    ("fig1_education", "higher", 0.45 * N, "input", "calibration"),
    ("fig1_education", "incomplete_secondary", 0.277 * N, "input", "calibration"),
]


def observed_text_targets() -> pd.DataFrame:
    rows = [(t, "all", "all", c, split, kind, k, float(N), k / N) for t, c, k, kind, split in TEXT_TARGETS]
    return pd.DataFrame(rows, columns=["target", "breakdown", "group", "cell", "split", "kind", "count", "base", "observed"])


def simulated_text_targets(snap: dict, recency: float = 0.0) -> dict[tuple, float]:
    """One replicate's design-weighted shares of the respondents: (target, group, cell) -> share."""
    frame = survey_frame(snap)
    keep = np.isin(np.array(DESTINATIONS)[snap["dest"]], list(SAMPLE_SIZES))
    w = sampling_weights(frame, reach=reachability(frame, recency))
    job, young, edu, side = snap["job"][keep], snap["young"][keep], snap["education"][keep], snap["side_business"][keep]
    total = w.sum()
    share = (lambda sel: float(w[sel].sum() / total) if total > 0 else np.nan)
    return {
        ("text_income_sources", "all", "wages_only"): share(np.isin(job, (Job.MATCHED, Job.OTHER)) & ~side),
        ("text_income_sources", "all", "supplementary_income"): share(np.isin(job, (Job.MATCHED, Job.OTHER)) & side),
        ("text_income_sources", "all", "business"): share(job == Job.BUSINESS),
        ("fig2_age", "all", "under_30"): share(young.astype(bool)),
        ("fig1_education", "all", "higher"): share(edu == Education.HIGHER),
        ("fig1_education", "all", "incomplete_secondary"): share(edu == Education.INCOMPLETE_SECONDARY),
    }
