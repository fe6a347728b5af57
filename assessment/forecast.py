"""Expected cases for the next seven days, with an 80 % interval, from a daily history.

The model is a seasonal (weekday) model with a damped recent trend, the classic
decomposition that suits counts of cases with a strong working-week rhythm (patrols find
most cases on working days) and few cases per grid:

- the weekday profile ``s_w`` (mean 1 over a week) comes from a pooled series, the scope's
  cases of the same major category, because one grid's weekday pattern is mostly noise;
- the level ``L`` is the deseasonalised mean of the last ``n`` days (``n`` = ``WINDOW``
  once the history is that long), ``L = Σ y_t / Σ s_w(t)``; the trend ``b`` is the change
  of that mean between the two halves of the window, per day, damped by ``DAMPING``;
- the expected count of day ``h`` (1..7) after the history is
  ``F_h = max(0, L + DAMPING · b · (n/2 + h)) · s_w(h)``, ``n/2 + h`` being how far day
  ``h`` lies from the window's middle, where ``L`` is measured;
- a day's count is negative binomial with mean ``F`` and variance ``d · F`` (Poisson when
  ``d = 1``), the overdispersion ``d = max(1, Σ(y − fit)² / Σ fit)`` being read from the
  window. The 80 % interval is its 10 % and 90 % quantiles and the median its 50 %, the
  quantile ``q`` being the smallest ``k`` with ``P(Y ≤ k) ≥ q``. The seven days' total is
  negative binomial with mean ``Σ F`` and the same ``d`` (a sum of independent negative
  binomials sharing ``p = 1/d``). Exact quantiles, not ``F ± 1.28·√(d·F)``: at a mean of
  0.02 cases a day, the usual size of one grid and category, the normal interval is
  meaningless.

The backtest refits on the history before each of the last held-out weeks (the weekday
profile too, from the pooled series cut at the same day) and compares each point forecast
with the naive baseline "the same weekday last week", each scored by the rule it is the
best answer to: the median by the mean absolute error ``Σ|ŷ − y| / n``, the expected
value by the root mean squared error ``√(Σ(ŷ − y)² / n)``. (Scoring the mean by the
absolute error rewards forecasting zero wherever cases are rare: most grid-days have none.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WINDOW = 28  # days the level, trend and dispersion are read from
PROFILE_WEEKS = 8  # weeks of the pooled series the weekday profile is read from
DAMPING = 0.5
HORIZON = 7
HELD_OUT_WEEKS = 4
PROFILE_PRIOR_CASES = 5.0  # see weekday_profile
HOTSPOT_Z = 2.0
HOTSPOT_WEEKS = 8  # weekly totals a grid's own history is read from
LOW, MEDIAN, HIGH = 0.1, 0.5, 0.9  # quantiles: a central 80 % interval and the median
MIN_HISTORY = 14  # days a fit needs before it may be backtested


@dataclass(frozen=True)
class DayForecast:
    day: date
    expected: float
    median: int
    low: int
    high: int


@dataclass(frozen=True)
class Backtest:
    """Errors per day over the held-out weeks, of the model and of the naive last-week
    baseline, and how many days they cover: mean absolute errors (model: its median) and
    root mean squared errors (model: its expected value)."""

    model_mae: float
    naive_mae: float
    model_rmse: float
    naive_rmse: float
    days: int


def quantiles(
    mean: float, dispersion: float, probabilities: Sequence[float] = (LOW, MEDIAN, HIGH)
) -> list[int]:
    """The quantiles (ascending ``probabilities``) of the negative binomial count with
    ``mean`` and variance ``dispersion · mean``: ``P(0) = d^(−r)`` and
    ``P(k + 1) = P(k) · (k + r) / (k + 1) · (1 − 1/d)`` with ``r = mean / (d − 1)``; the
    Poisson ``P(0) = e^(−mean)``, ``P(k + 1) = P(k) · mean / (k + 1)`` when ``d = 1``."""
    if mean <= 0:
        return [0] * len(probabilities)
    poisson = dispersion <= 1 + 1e-9
    r = 0.0 if poisson else mean / (dispersion - 1)
    p = math.exp(-mean) if poisson else math.exp(-r * math.log(dispersion))
    cumulative, k, found = p, 0, []
    # Far enough into the tail for any probability below 1 (rounding may stall the sum).
    ceiling = int(mean + 40 * math.sqrt(dispersion * mean) + 40)
    for probability in probabilities:
        while cumulative < probability and k < ceiling:
            p *= mean / (k + 1) if poisson else (k + r) / (k + 1) * (1 - 1 / dispersion)
            k += 1
            cumulative += p
        found.append(k)
    return found


def weekday_profile(counts: Sequence[int], first_day: date) -> list[float]:
    """The weekday profile ``s_0..s_6`` (Monday first) of a daily series starting on
    ``first_day``, over its last ``PROFILE_WEEKS`` weeks:
    ``s_w = (t_w + K) / (c_w · m + K)``, where ``t_w`` is the sum and ``c_w`` the number
    of days of weekday ``w``, ``m`` the mean per day and ``K`` = ``PROFILE_PRIOR_CASES``
    (pseudo-cases at the mean: they pull a weekday seen in few cases toward 1, and hardly
    move one seen in hundreds); then scaled so that the seven values average 1. A series
    with no cases has the flat profile."""
    start = max(0, len(counts) - PROFILE_WEEKS * 7)
    sums, days = [0.0] * 7, [0] * 7
    monday_offset = first_day.weekday()
    for offset in range(start, len(counts)):
        weekday = (monday_offset + offset) % 7
        sums[weekday] += counts[offset]
        days[weekday] += 1
    total_days = sum(days)
    mean = sum(sums) / total_days if total_days else 0.0
    if mean <= 0:
        return [1.0] * 7
    k = PROFILE_PRIOR_CASES
    raw = [(sums[w] + k) / (days[w] * mean + k) for w in range(7)]
    scale = sum(raw) / 7
    return [value / scale for value in raw]


def _fit(
    counts: Sequence[int], first_day: date, profile: Sequence[float]
) -> tuple[float, float, float, int]:
    """Level, trend per day, overdispersion and length of the last ``WINDOW`` days."""
    start = max(0, len(counts) - WINDOW)
    window = range(start, len(counts))
    if not window:
        return 0.0, 0.0, 1.0, 0
    seasonal = [profile[(first_day.weekday() + i) % 7] for i in window]
    observed = [counts[i] for i in window]
    level = sum(observed) / sum(seasonal)
    half = len(window) // 2
    trend = 0.0
    if half >= 7:  # a half-window shorter than a week would read the weekdays as trend
        first_half = sum(observed[:half]) / sum(seasonal[:half])
        second_half = sum(observed[half:]) / sum(seasonal[half:])
        trend = (second_half - first_half) / half
    fitted = [level * s for s in seasonal]
    squared = sum((y - fit) ** 2 for y, fit in zip(observed, fitted, strict=True))
    dispersion = max(1.0, squared / sum(fitted)) if sum(fitted) > 0 else 1.0
    return level, trend, dispersion, len(window)


def _predict(
    counts: Sequence[int], first_day: date, profile: Sequence[float]
) -> tuple[list[tuple[date, float]], float]:
    """The expected count of each of the next ``HORIZON`` days, and the dispersion."""
    level, trend, dispersion, n = _fit(counts, first_day, profile)
    after = first_day + timedelta(days=len(counts))
    expected = []
    for h in range(1, HORIZON + 1):
        day = after + timedelta(days=h - 1)
        value = max(0.0, level + DAMPING * trend * (n / 2 + h)) * profile[day.weekday()]
        expected.append((day, value))
    return expected, dispersion


def forecast(
    counts: Sequence[int], first_day: date, pooled: Sequence[int] | None = None
) -> tuple[list[DayForecast], float]:
    """The next ``HORIZON`` days after a daily series that starts on ``first_day`` (see
    the module's formulas), and the dispersion ``d`` they were drawn with. ``pooled`` is
    the series the weekday profile is read from (same days); by default the series
    itself."""
    profile = weekday_profile(counts if pooled is None else pooled, first_day)
    expected, dispersion = _predict(counts, first_day, profile)
    days = []
    for day, value in expected:
        low, median, high = quantiles(value, dispersion)
        days.append(DayForecast(day, value, median, low, high))
    return days, dispersion


def total(days: Sequence[DayForecast], dispersion: float) -> dict[str, float | int]:
    """The expected total of ``days``, its median and its 80 % interval."""
    expected = sum(d.expected for d in days)
    low, median, high = quantiles(expected, dispersion)
    return {"expected": expected, "median": median, "low": low, "high": high}


def backtest(
    counts: Sequence[int],
    first_day: date,
    pooled: Sequence[int] | None = None,
    weeks: int = HELD_OUT_WEEKS,
) -> Backtest:
    """Refit before each of the last ``weeks`` weeks (on at least ``MIN_HISTORY`` days)
    and forecast it; the errors of the model and of the naive ``y(t − 7)`` (see the
    module's docstring)."""
    absolute = {"model": 0.0, "naive": 0.0}
    squared = {"model": 0.0, "naive": 0.0}
    n = 0
    for week in range(weeks, 0, -1):
        cut = len(counts) - week * 7
        if cut < MIN_HISTORY:
            continue
        reference = counts[:cut] if pooled is None else pooled[:cut]
        expected, dispersion = _predict(
            counts[:cut], first_day, weekday_profile(reference, first_day)
        )
        for h, (_day, value) in enumerate(expected):
            actual, naive = counts[cut + h], counts[cut + h - 7]
            (median,) = quantiles(value, dispersion, (MEDIAN,))
            absolute["model"] += abs(median - actual)
            absolute["naive"] += abs(naive - actual)
            squared["model"] += (value - actual) ** 2
            squared["naive"] += (naive - actual) ** 2
            n += 1
    if n == 0:
        return Backtest(0.0, 0.0, 0.0, 0.0, 0)
    return Backtest(
        absolute["model"] / n,
        absolute["naive"] / n,
        math.sqrt(squared["model"] / n),
        math.sqrt(squared["naive"] / n),
        n,
    )


def pooled_backtest(results: Iterable[Backtest]) -> Backtest:
    """Several series' backtests as one over all their days: each error is averaged again
    with the days as weights (squares for the RMSE)."""
    results = [r for r in results if r.days]
    n = sum(r.days for r in results)
    if n == 0:
        return Backtest(0.0, 0.0, 0.0, 0.0, 0)
    return Backtest(
        sum(r.model_mae * r.days for r in results) / n,
        sum(r.naive_mae * r.days for r in results) / n,
        math.sqrt(sum(r.model_rmse**2 * r.days for r in results) / n),
        math.sqrt(sum(r.naive_rmse**2 * r.days for r in results) / n),
        n,
    )


def hotspot_z(counts: Sequence[int], expected_week: float, weeks: int = HOTSPOT_WEEKS) -> float:
    """How unusual a grid's coming or last week is against its own history: the larger of
    ``(x − μ) / √(σ² + μ + 1)`` for ``x`` = last week's total and the forecast total, where
    ``μ`` and ``σ²`` are the mean and variance of the ``weeks`` weekly totals before last
    week (the ``μ + 1`` keeps a quiet grid's single case from reading as a hotspot)."""
    end = len(counts)
    totals = [
        sum(counts[end - 7 * (k + 1) : end - 7 * k])
        for k in range(1, weeks + 1)
        if end >= 7 * (k + 1)
    ]
    last_week = sum(counts[-7:])
    mean = sum(totals) / len(totals) if totals else 0.0
    variance = sum((t - mean) ** 2 for t in totals) / len(totals) if totals else 0.0
    scale = math.sqrt(variance + mean + 1)
    return max(last_week - mean, expected_week - mean) / scale
