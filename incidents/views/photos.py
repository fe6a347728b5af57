"""Photos of tickets, streamed to the users who may see the ticket (media are never public)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from incidents import selectors

# Photos never change (they are evidence), but access can be withdrawn: cache privately
# and not for long.
PHOTO_MAX_AGE = 3600


@login_required
@require_safe
def ticket_photo(request: HttpRequest, pk: int) -> FileResponse:
    """One photo of a ticket in the user's scope, with its checked content type; 404 for
    anything else, and when the stored file is gone."""
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    try:
        file = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(file, content_type=attachment.content_type)
    name = f"photo-{attachment.pk}.{attachment.extension}"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    patch_cache_control(response, private=True, max_age=PHOTO_MAX_AGE)
    return response
