"""The evaluation's two-stage design and its estimators, checked by simulation with a fixed
seed: the same seed draws the same sample, no household twice, inclusion probabilities as
designed, ratio estimates unbiased within simulation error, and 95 % intervals that cover
the truth in 93-97 % of samples. (A longer run: ``make bench``'s evaluation simulation.)"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from jingzhun.oversight.estimation import ratio_estimate, t_quantile
from jingzhun.oversight.sampling import Method, VillageFrame, draw_two_stage

SAMPLES = 300
PER_VILLAGE = {"registered": 30, "unregistered": 30}


def population(seed: int = 2026):
    """300 villages in 15 townships; wrong exits cluster by village (a village-level rate)."""
    rng = np.random.default_rng(seed)
    villages, wrong, key = [], set(), 0
    for v in range(300):
        size = int(rng.integers(40, 400))
        registered = int(size * rng.uniform(0.15, 0.45))
        rate = rng.beta(0.6, 25)
        keys_r = list(range(key, key + registered))
        keys_u = list(range(key + registered, key + size))
        key += size
        wrong.update(k for k in keys_r if rng.random() < rate)
        villages.append(
            VillageFrame(f"V{v:03d}", f"T{v % 15:02d}", {"registered": keys_r, "unregistered": keys_u})
        )
    registered_total = sum(len(v.strata["registered"]) for v in villages)
    return villages, wrong, len(wrong) / registered_total


def test_the_same_seed_draws_the_same_sample_and_no_household_twice():
    villages, _wrong, _truth = population()
    first = draw_two_stage(villages, villages_wanted=25, per_village=PER_VILLAGE, seed=7)
    assert first == draw_two_stage(villages, villages_wanted=25, per_village=PER_VILLAGE, seed=7)
    assert first != draw_two_stage(villages, villages_wanted=25, per_village=PER_VILLAGE, seed=8)
    assert len({h.household for h in first}) == len(first)
    assert len({h.village for h in first}) == 25
    # 30 of each stratum per village, or all of a village's registered households when it has fewer.
    counts = Counter(h.stratum for h in first)
    assert counts["unregistered"] == 750
    assert 600 < counts["registered"] <= 750


@pytest.mark.parametrize("method", [Method.PPS, Method.STRATIFIED])
def test_villages_are_drawn_with_the_designed_probabilities(method):
    villages, _wrong, _truth = population()
    counts: Counter[str] = Counter()
    recorded: dict[str, float] = {}
    runs = 400
    for seed in range(runs):
        for household in draw_two_stage(
            villages, villages_wanted=25, per_village={"registered": 1}, method=method, seed=seed
        ):
            counts[household.village] += 1
            recorded[household.village] = household.village_probability
    # Over many draws each village comes up as often as its recorded probability says.
    deviations = [
        (counts[code] / runs - p) / math.sqrt(p * (1 - p) / runs) for code, p in recorded.items() if 0 < p < 1
    ]
    assert abs(float(np.mean(deviations))) < 0.2
    assert float(np.mean(np.abs(deviations))) < 1.1  # about 0.8 when the probabilities are right


@pytest.mark.parametrize("method", [Method.PPS, Method.STRATIFIED])
def test_the_wrong_exit_rate_is_unbiased_and_its_interval_covers_the_truth(method):
    villages, wrong, truth = population()
    estimates, covered = [], 0
    for seed in range(SAMPLES):
        drawn = draw_two_stage(
            villages, villages_wanted=25, per_village=PER_VILLAGE, method=method, seed=seed
        )
        estimate = ratio_estimate(
            [h.village for h in drawn],
            [h.weight for h in drawn],
            [h.household in wrong for h in drawn],
            [h.stratum == "registered" for h in drawn],
            strata=[h.township for h in drawn] if method == Method.STRATIFIED else None,
        )
        estimates.append(estimate.rate)
        covered += estimate.low <= truth <= estimate.high
    values = np.array(estimates)
    bias_in_standard_errors = (values.mean() - truth) / (values.std() / math.sqrt(SAMPLES))
    assert abs(bias_in_standard_errors) < 3
    assert 0.93 <= covered / SAMPLES <= 0.97


def test_a_clustered_sample_gets_a_wider_interval_than_a_binomial_one():
    # 10 villages of 30: in half of them everyone has the finding, in the other half nobody.
    villages = [f"V{i}" for i in range(10) for _ in range(30)]
    findings = [i < 5 for i in range(10) for _ in range(30)]
    estimate = ratio_estimate(villages, [1.0] * 300, findings, [True] * 300)
    binomial = math.sqrt(0.5 * 0.5 / 300)
    assert estimate.rate == pytest.approx(0.5)
    assert estimate.standard_error > 4 * binomial


def test_t_quantiles_match_the_tables():
    assert t_quantile(0.975, 24) == pytest.approx(2.064, abs=0.005)
    assert t_quantile(0.975, 9) == pytest.approx(2.262, abs=0.01)
    assert t_quantile(0.975, 1000) == pytest.approx(1.962, abs=0.002)
