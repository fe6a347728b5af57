"""Builders for tickets in tests, going through the services like real callers."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.demo import DemoContext, demo_steps, run_steps
from incidents.choices import PhotoPhase, Source
from incidents.models import Ticket
from incidents.photos import Photo
from incidents.services.tickets import ticket_create
from incidents.workflow import ticket_act

CATALOGUE_STEPS = ("incidents: case categories", "incidents: SLA policies")


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    """A real, decodable image of ``fmt`` (PNG, JPEG or WEBP)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(fmt: str = "PNG", name: str = "photo.png") -> SimpleUploadedFile:
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt), content_type=content_type)


def seed_demo_catalogue() -> DemoContext:
    """The demo city's case categories and their limits, through its own seed steps (leads
    are set for the departments that exist)."""
    steps = [step for step in demo_steps() if step.name in CATALOGUE_STEPS]
    assert [step.name for step in steps] == list(CATALOGUE_STEPS)
    return run_steps(DemoContext(), steps)


def after_photo() -> Photo:
    return Photo(upload(), PhotoPhase.AFTER)


def report(place, source="hotline", *, reporter=None, **fields) -> Ticket:
    """A ticket in the place's grid, reported by the resident unless ``reporter`` says.
    A self-handled report comes with the after-photo it needs unless ``photos`` says."""
    grid = place["grid"]
    if source == Source.SELF_HANDLED:
        fields.setdefault("photos", [after_photo()])
    return ticket_create(
        reporter=reporter or place["resident"],
        source=source,
        category=place["category"],
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        **{"description": "路边垃圾堆放", **fields},
    )


def act(ticket: Ticket, actor, action: str, **kwargs) -> Ticket:
    """Apply a workflow action; ``submit`` brings an after-photo unless data says."""
    if action == "submit":
        kwargs["data"] = {"photos": [after_photo()], **(kwargs.get("data") or {})}
    return ticket_act(
        ticket=ticket, actor=actor, action=action, expected_version=ticket.version, **kwargs
    )
