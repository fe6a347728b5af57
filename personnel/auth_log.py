"""Placeholder until sign-in logging is built."""


def connect_login_logging() -> None:
    """Connect the receivers that log every sign-in success and failure."""
