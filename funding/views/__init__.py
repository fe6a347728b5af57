"""Browser pages of the funding app."""
