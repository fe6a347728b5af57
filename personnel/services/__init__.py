"""Writes of the personnel app, one module per concern (roles, workers, patrols, ...)."""
