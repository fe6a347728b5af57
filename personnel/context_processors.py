"""Placeholder until the inbox badge is built."""


def inbox(request) -> dict:
    return {}
