"""Back office of the participation app, one module per concern (imported here so that
admin autodiscovery registers them all)."""

from participation.admin import public, residents

__all__ = ["public", "residents"]
