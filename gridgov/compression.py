"""Gzip for text responses: API JSON, pages and exports, not photos or receipts.

Phones read the API over slow mobile networks: the case catalogue is 120 KB of JSON and
about a tenth of that gzipped. Django's GZipMiddleware does the work (with its BREACH
mitigation); this subclass only keeps it off files that are compressed already, where
gzip would spend CPU for nothing and drop the Content-Length a phone shows progress by.
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

# Media types worth compressing besides text/*: JSON (and +json), XML, JavaScript, and
# drf-spectacular's OpenAPI document.
_COMPRESSIBLE_SUFFIXES = ("json", "xml", "javascript", "openapi")


def is_text(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type.endswith(_COMPRESSIBLE_SUFFIXES)


class TextGZipMiddleware(GZipMiddleware):
    """GZipMiddleware for text media types only."""

    def process_response(self, request, response):
        if not is_text(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
