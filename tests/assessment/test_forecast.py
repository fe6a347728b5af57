"""The forecast's formulas on hand-made series: level, weekday profile, damped trend,
intervals, backtest against last week, and hotspots."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from assessment import forecast as fc

MONDAY = date(2026, 6, 1)
WEEKS = 16


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's product of uniforms: the means here are small)."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_a_flat_series_forecasts_its_mean():
    days, _d = fc.forecast([3] * (WEEKS * 7), MONDAY)
    assert [d.expected for d in days] == pytest.approx([3.0] * 7)
    assert days[0].day == date(2026, 9, 21)  # the day after the history, a Monday
    assert all(d.median == 3 for d in days)


def test_a_perfect_weekday_pattern_is_reproduced():
    week = [80, 80, 80, 80, 80, 20, 20]
    days, dispersion = fc.forecast(week * WEEKS, MONDAY)
    assert [d.expected for d in days] == pytest.approx(week, rel=0.03)
    assert dispersion == pytest.approx(1.0)


def test_a_weekday_seen_in_few_cases_is_pulled_toward_the_mean():
    # 8 of each weekday in the profile's window: weekends of 16 cases and 5 pseudo-cases.
    profile = fc.weekday_profile([8, 8, 8, 8, 8, 2, 2] * WEEKS, MONDAY)
    mean = 44 / 7
    raw = [(64 + 5) / (8 * mean + 5)] * 5 + [(16 + 5) / (8 * mean + 5)] * 2
    assert profile == pytest.approx([v / (sum(raw) / 7) for v in raw])
    assert 2 / mean < profile[6] < 1


def test_the_pooled_profile_gives_a_flat_grid_the_city_rhythm():
    pooled = [80, 80, 80, 80, 80, 20, 20] * WEEKS
    days, _d = fc.forecast([1] * (WEEKS * 7), MONDAY, pooled)
    assert days[0].expected > 2.5 * days[6].expected
    assert sum(d.expected for d in days) == pytest.approx(7.0, rel=0.05)


def test_the_trend_is_damped():
    rising = [10 + day * 0.1 for day in range(WEEKS * 7)]
    days, _d = fc.forecast([round(v) for v in rising], MONDAY)
    level = sum(round(v) for v in rising[-fc.WINDOW :]) / fc.WINDOW
    slope = 0.1
    undamped = level + slope * (fc.WINDOW / 2 + 7)
    assert level < days[6].expected < undamped
    assert days[6].expected == pytest.approx(
        level + fc.DAMPING * slope * (fc.WINDOW / 2 + 7), rel=0.03
    )
    falling, _d = fc.forecast([round(v) for v in reversed(rising)], MONDAY)
    assert all(d.expected >= 0 for d in falling)
    assert falling[6].expected < falling[0].expected


def test_the_interval_contains_the_expected_count_and_widens_with_dispersion():
    rng = random.Random(5)
    calm = [poisson(rng, 6) for _day in range(WEEKS * 7)]
    # The same mean, but days of 0 and 12: variance 36 instead of 6.
    wild = [12 * (rng.random() < 0.5) for _day in range(WEEKS * 7)]
    calm_days, calm_d = fc.forecast(calm, MONDAY)
    wild_days, wild_d = fc.forecast(wild, MONDAY)
    assert calm_d < 2 < wild_d
    for d in calm_days + wild_days:
        assert d.low <= d.expected <= d.high
        assert d.low <= d.median <= d.high
    width = sum(d.high - d.low for d in wild_days) - sum(d.high - d.low for d in calm_days)
    assert width > 7 * 3
    week = fc.total(calm_days, calm_d)
    assert week["low"] <= week["expected"] <= week["high"]
    assert week["high"] - week["low"] < sum(d.high - d.low for d in calm_days)


def test_quantiles_are_those_of_the_poisson_and_the_negative_binomial():
    assert fc.quantiles(2.0, 1.0) == [0, 2, 4]  # Poisson(2): P(≤0)=.135, P(≤3)=.857
    assert fc.quantiles(0.02, 1.0) == [0, 0, 0]  # a rare case: most weeks none
    # Four times the Poisson's variance: a wider interval, a median below the mean.
    low, median, high = fc.quantiles(10.0, 4.0)
    plain_low, plain_median, plain_high = fc.quantiles(10.0, 1.0)
    assert high - low > plain_high - plain_low
    assert median < plain_median == 10
    assert fc.quantiles(0.0, 3.0) == [0, 0, 0]


def test_no_history_forecasts_zeros():
    days, dispersion = fc.forecast([0] * (WEEKS * 7), MONDAY)
    assert [(d.expected, d.low, d.high) for d in days] == [(0.0, 0, 0)] * 7
    assert dispersion == 1.0
    empty, _d = fc.forecast([], MONDAY)
    assert [d.expected for d in empty] == [0.0] * 7
    assert fc.backtest([], MONDAY).days == 0


def test_the_backtest_beats_last_week_on_a_seasonal_poisson_series():
    rng = random.Random(2026)
    week = [9, 11, 10, 10, 9, 3, 2]
    counts = [poisson(rng, week[day % 7]) for day in range(WEEKS * 7)]
    result = fc.backtest(counts, MONDAY)
    assert result.days == fc.HELD_OUT_WEEKS * 7
    assert result.model_mae < 0.85 * result.naive_mae
    assert result.model_rmse < 0.85 * result.naive_rmse


def test_on_pure_noise_the_comparison_is_reported_not_rigged():
    rng = random.Random(7)
    counts = [poisson(rng, 0.3) for _day in range(WEEKS * 7)]
    result = fc.backtest(counts, MONDAY)
    # Whatever wins, both errors are the plain averages over the held-out days.
    naive = [
        abs(counts[-7 * w + h - 7] - counts[-7 * w + h])
        for w in range(fc.HELD_OUT_WEEKS, 0, -1)
        for h in range(7)
    ]
    assert result.naive_mae == pytest.approx(sum(naive) / len(naive))
    assert result.days == len(naive)
    assert result.model_mae >= 0 and result.model_rmse > 0


def test_the_backtest_reads_no_day_after_its_cut():
    counts = [5] * (WEEKS * 7)
    spiked = [*counts[:-7], *[500] * 7]  # only the last held-out week changes
    early = fc.backtest(counts[:-7], MONDAY, weeks=3)
    again = fc.backtest(spiked[:-7], MONDAY, spiked[:-7], weeks=3)
    assert early == again


def test_pooled_backtests_weigh_series_by_days():
    a = fc.Backtest(1.0, 2.0, 1.0, 2.0, 7)
    b = fc.Backtest(3.0, 2.0, 3.0, 2.0, 21)
    both = fc.pooled_backtest([a, b, fc.Backtest(0, 0, 0, 0, 0)])
    assert both.days == 28
    assert both.model_mae == pytest.approx(2.5)
    assert both.model_rmse == pytest.approx(math.sqrt((7 + 9 * 21) / 28))


def test_a_grid_is_a_hotspot_when_its_week_stands_out_of_its_history():
    quiet = [1, 0, 1, 0, 1, 0, 0] * 9
    assert fc.hotspot_z(quiet, expected_week=3.0) < fc.HOTSPOT_Z
    busy_last_week = [*quiet[:-7], 4, 3, 5, 4, 3, 1, 1]
    assert fc.hotspot_z(busy_last_week, expected_week=3.0) > fc.HOTSPOT_Z
    busy_forecast = fc.hotspot_z(quiet, expected_week=15.0)
    assert busy_forecast > fc.HOTSPOT_Z
    # One case in a grid that never has any is not a hotspot.
    assert fc.hotspot_z([0] * 62 + [1], expected_week=0.1) < fc.HOTSPOT_Z
