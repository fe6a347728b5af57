"""Browser pages of the assessment app."""
