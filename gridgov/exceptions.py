"""Domain exceptions shared by every app's services (mapped to HTTP by gridgov.api)."""


class StaleObjectError(Exception):
    """A compare-and-swap update found the row changed since the caller read it."""
