"""Rates from a two-stage sample: ratio estimators with design weights, and their
confidence intervals by linearisation with the villages as primary sampling units.

For a rate R = Σ w·y / Σ w·x (y: the household has the finding, x: it belongs to the
rate's domain), each household contributes z = w·(y − R·x) / Σ w·x. Summed per village
(and, for a stratified first stage, compared within its township), the villages' totals
vary as independent draws would: var(R) ≈ n/(n−1) · Σ (z_village − mean)². This counts
the clustering of households within villages, which a simple binomial interval would
ignore (and be too narrow). The interval uses Student's t with as many degrees of
freedom as villages minus strata.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class Estimate:
    rate: float | None
    low: float | None
    high: float | None
    standard_error: float | None
    households: int  # in the rate's domain
    villages: int

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 2)

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else round(self.low * 100, 2)

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else round(self.high * 100, 2)


def t_quantile(p: float, degrees: int) -> float:
    """Student's t quantile (Cornish–Fisher expansion of the normal; within 0.01 of the
    tables from 3 degrees of freedom, which is what an interval needs)."""
    z = NormalDist().inv_cdf(p)
    if degrees <= 0:
        return math.inf
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / degrees + g2 / degrees**2 + g3 / degrees**3 + g4 / degrees**4


def ratio_estimate(
    villages: Sequence[str],
    weights: Sequence[float],
    findings: Sequence[bool],
    in_domain: Sequence[bool],
    *,
    strata: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """The weighted share of the domain with the finding, with its interval."""
    psu = np.asarray(villages)
    w = np.asarray(weights, dtype=np.float64)
    x = np.asarray(in_domain, dtype=np.float64)
    y = np.asarray(findings, dtype=np.float64) * x
    stratum = np.asarray(strata) if strata is not None else np.zeros(len(psu), dtype=np.int64)
    total = float((w * x).sum())
    in_domain_count = int(x.sum())
    village_count = len(set(psu[x > 0].tolist()))
    if total == 0:
        return Estimate(None, None, None, None, in_domain_count, village_count)
    rate = float((w * y).sum()) / total
    z = w * (y - rate * x) / total
    variance, degrees = _linearised_variance(psu, stratum, z)
    se = math.sqrt(variance)
    t = t_quantile(0.5 + confidence / 2, max(degrees, 1))
    low, high = _logit_interval(rate, se, t)
    return Estimate(rate, low, high, se, in_domain_count, village_count)


def _linearised_variance(psu: np.ndarray, stratum: np.ndarray, z: np.ndarray) -> tuple[float, int]:
    """Between-village variance of the linearised totals within each stratum. A stratum
    with a single village says nothing of its own variance: such strata are pooled into
    one (the usual collapsed-strata approximation, on the safe side)."""
    groups: dict[object, np.ndarray] = {}
    single: list[np.ndarray] = []
    for level in np.unique(stratum):
        mask = stratum == level
        if len(np.unique(psu[mask])) > 1:
            groups[level] = mask
        else:
            single.append(mask)
    if single:
        groups["collapsed"] = np.logical_or.reduce(single)
    variance, degrees = 0.0, 0
    for mask in groups.values():
        ids, inverse = np.unique(psu[mask], return_inverse=True)
        totals = np.bincount(inverse, weights=z[mask], minlength=len(ids))
        n = len(ids)
        if n > 1:
            variance += n / (n - 1) * float(((totals - totals.mean()) ** 2).sum())
            degrees += n - 1
    return variance, degrees


def _logit_interval(rate: float, se: float, t: float) -> tuple[float, float]:
    """The interval on the log-odds scale, back-transformed: a rate of a few percent has a
    skewed distribution, and a symmetric interval around it would reach below zero and cover
    too little above."""
    if rate <= 0.0 or rate >= 1.0 or se == 0.0:
        return (max(0.0, rate - t * se), min(1.0, rate + t * se))
    centre = math.log(rate / (1 - rate))
    spread = t * se / (rate * (1 - rate))
    low, high = centre - spread, centre + spread
    return (1 / (1 + math.exp(-low)), 1 / (1 + math.exp(-high)))
