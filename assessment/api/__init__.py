"""The assessment API: indicators, scores, rankings and forecasts, all scoped."""
