"""Public pages (no sign-in), one module per concern; their routes are in
``participation/public_urls.py``."""
