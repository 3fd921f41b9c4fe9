"""Two-stage evaluation samples (第三方评估抽样), as arithmetic on arrays — no model here, so
that the same code draws a plan's sample and the simulations that check the design.

Stage one draws villages: with probability proportional to their number of households
(systematic PPS over a seeded random order; a village large enough to be certain is
taken with certainty), or at random within each township in proportion to its villages
(stratified). Stage two draws households at random within each drawn village, separately
per stratum (registered households — lifted out or monitored — and the others). A
household's design weight is 1 / (its village's inclusion probability × its own within
the village). The same seed always draws the same sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


class Method:
    PPS = "pps"
    STRATIFIED = "stratified"


@dataclass(frozen=True)
class VillageFrame:
    code: str
    township: str
    # The household keys of each stratum (e.g. "registered", "unregistered").
    strata: Mapping[str, Sequence[int]]

    @property
    def size(self) -> int:
        return sum(len(keys) for keys in self.strata.values())


@dataclass(frozen=True)
class DrawnHousehold:
    village: str
    township: str
    household: int
    stratum: str
    village_probability: float
    household_probability: float

    @property
    def weight(self) -> float:
        return 1.0 / (self.village_probability * self.household_probability)


def _pps(villages: list[VillageFrame], n: int, rng: np.random.Generator) -> list[tuple[VillageFrame, float]]:
    """Systematic PPS without replacement; villages whose share would exceed one are certain."""
    chosen: list[tuple[VillageFrame, float]] = []
    pool = [v for v in villages if v.size > 0]
    remaining = min(n, len(pool))
    while remaining > 0:
        total = sum(v.size for v in pool)
        certain = [v for v in pool if v.size * remaining >= total]
        if not certain:
            break
        for village in certain:
            chosen.append((village, 1.0))
            pool.remove(village)
        remaining -= len(certain)
    if remaining > 0 and pool:
        order = rng.permutation(len(pool))
        sizes = np.array([pool[i].size for i in order], dtype=np.float64)
        total = sizes.sum()
        step = total / remaining
        start = rng.uniform(0, step)
        points = start + step * np.arange(remaining)
        bounds = np.cumsum(sizes)
        picks = np.searchsorted(bounds, points, side="right")
        for index in picks:
            village = pool[order[index]]
            chosen.append((village, float(village.size * remaining / total)))
    return chosen


def _stratified(
    villages: list[VillageFrame], n: int, rng: np.random.Generator
) -> list[tuple[VillageFrame, float]]:
    """Villages at random within townships, allocated in proportion to each township's villages."""
    by_township: dict[str, list[VillageFrame]] = {}
    for village in villages:
        if village.size > 0:
            by_township.setdefault(village.township, []).append(village)
    total = sum(len(group) for group in by_township.values())
    n = min(n, total)
    # Largest remainders: every township gets its share, rounded so that the shares add up to n.
    shares = {t: n * len(group) / total for t, group in by_township.items()}
    allocation = {t: int(share) for t, share in shares.items()}
    for township in sorted(shares, key=lambda t: (allocation[t] - shares[t], t))[
        : n - sum(allocation.values())
    ]:
        allocation[township] += 1
    chosen = []
    for township in sorted(by_township):
        group = by_township[township]
        take = min(allocation[township], len(group))
        for index in rng.choice(len(group), size=take, replace=False):
            chosen.append((group[int(index)], take / len(group)))
    return chosen


def draw_two_stage(
    villages: Sequence[VillageFrame],
    *,
    villages_wanted: int,
    per_village: Mapping[str, int],
    method: str = Method.PPS,
    seed: int,
) -> list[DrawnHousehold]:
    """The sample: villages, then ``per_village[stratum]`` households of each stratum in each."""
    rng = np.random.default_rng(seed)
    frame = sorted(villages, key=lambda v: v.code)
    stage_one = (
        _pps(frame, villages_wanted, rng)
        if method == Method.PPS
        else _stratified(frame, villages_wanted, rng)
    )
    drawn = []
    for village, village_probability in sorted(stage_one, key=lambda pair: pair[0].code):
        for stratum in sorted(per_village):
            keys = sorted(village.strata.get(stratum, ()))
            take = min(per_village[stratum], len(keys))
            if take == 0:
                continue
            for index in sorted(rng.choice(len(keys), size=take, replace=False)):
                drawn.append(
                    DrawnHousehold(
                        village=village.code,
                        township=village.township,
                        household=keys[int(index)],
                        stratum=stratum,
                        village_probability=village_probability,
                        household_probability=take / len(keys),
                    )
                )
    return drawn
