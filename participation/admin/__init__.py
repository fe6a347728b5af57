"""Back office of the participation app, one module per concern (imported here so that
admin autodiscovery registers them all)."""

from participation.admin import community, public, residents

__all__ = ["community", "public", "residents"]
