"""Public reports: a problem reported on the public pages or by an Open311 client, and its
moderation.

Everything a report brings (service, answers, place, contact, photos) is checked before
anything is written, so a refused report leaves no row and no file behind. A report is
located in its grid from its point. A named web report and every Open311 request (the
client's API key vouches for it) become a case at once; an anonymous web report waits for
the street's command centre, which approves it (it becomes a case) or rejects it with a
note. The follow token is returned once and only its digest is kept. Nothing here logs
contact details.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from grids.locate import locate_grid_id
from grids.models import Grid
from incidents.choices import PhotoPhase, Source
from incidents.photos import CheckedPhoto, Photo, photo_check
from incidents.recipients import holders
from incidents.services.tickets import ticket_create
from participation.choices import AttributeType, ReportChannel, ReportStatus
from participation.models import (
    Open311Key,
    PublicReport,
    PublicReportPhoto,
    PublicService,
    ServiceAttribute,
)
from participation.selectors.public import report_answers
from participation.services.places import place_in_community
from participation.tokens import new_token
from personnel.choices import NotificationKind, Role
from personnel.services.notifications import notify_many

MAX_PHOTOS = 3
SOURCE_OF_CHANNEL = {ReportChannel.WEB: Source.RESIDENT, ReportChannel.OPEN311: Source.OPEN311}
# References read PR-YYYYMMDD-XXXXXX: the local day and six characters nobody confuses (no
# 0/O, 1/I/L): 31^6 ≈ 887 million a day, so a clash is rare and simply drawn again.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_TRIES = 5
MAX_STRING = 200
MAX_TEXT = 4000


class AlreadyModerated(Exception):
    """The report is no longer pending: someone approved or rejected it first (409)."""


def _reference(now: datetime) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"PR-{timezone.localdate(now):%Y%m%d}-{code}"


def _problem(attribute: ServiceAttribute, value: Any, keys: set[str]) -> tuple[Any, str]:
    """(stored answer, "") or (None, what is wrong with it)."""
    datatype = attribute.datatype
    if datatype == AttributeType.MULTI:
        chosen = [str(item).strip() for item in (value if isinstance(value, list) else [value])]
        chosen = [item for item in chosen if item]
        if any(item not in keys for item in chosen):
            return None, _("choose among the offered values.")
        return chosen, ""
    if isinstance(value, list):  # a single answer sent as attribute[code][]=...
        value = value[-1] if value else ""
    text = str(value).strip()
    if datatype == AttributeType.SINGLE:
        return (text, "") if text in keys else (None, _("choose one of the offered values."))
    if datatype == AttributeType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, _("give a number.")
        return (str(number), "") if number.is_finite() else (None, _("give a number."))
    if datatype == AttributeType.DATETIME:
        moment = parse_datetime(text) if "T" in text or " " in text else parse_date(text)
        if moment is None:
            return None, _("give a date, or a date and time such as 2026-05-01T09:30+08:00.")
        return moment.isoformat(), ""
    if datatype == AttributeType.STRING and (
        "\n" in text or "\r" in text or len(text) > MAX_STRING
    ):
        return None, _("give one line of at most %(count)d characters.") % {"count": MAX_STRING}
    if len(text) > MAX_TEXT:
        return None, _("give at most %(count)d characters.") % {"count": MAX_TEXT}
    return text, ""


def attributes_check(service: PublicService, attributes: dict | None) -> dict[str, Any]:
    """The answers to ``service``'s questions, checked against its ServiceAttribute rows:
    every required one answered, each in its datatype, list answers among the allowed keys,
    no answer to a question the service does not ask. Empty answers are dropped."""
    given = {str(code): value for code, value in (attributes or {}).items()}
    questions = {attribute.code: attribute for attribute in service.attributes.all()}
    problems = []
    unknown = sorted(set(given) - set(questions))
    if unknown:
        problems.append(
            _("This service asks no question %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    answers: dict[str, Any] = {}
    for code, attribute in sorted(questions.items(), key=lambda item: item[1].order):
        value = given.get(code)
        empty = value is None or value == "" or value == [] or value == [""]
        if empty:
            if attribute.required:
                problems.append(_("Answer “%(question)s”.") % {"question": attribute.description})
            continue
        keys = {str(option.get("key")) for option in attribute.values}
        answer, problem = _problem(attribute, value, keys)
        if problem:
            problems.append(
                _("“%(question)s”: %(problem)s")
                % {"question": attribute.description, "problem": problem}
            )
        elif answer not in ("", []):
            answers[code] = answer
    if problems:
        raise ValidationError({"attributes": problems})
    return answers


def photos_check(photos: Sequence[UploadedFile]) -> list[CheckedPhoto]:
    """At most three photos, each decoded (JPEG, PNG or WebP within the size cap: a larger
    one raises ``incidents.photos.PhotoTooLarge``)."""
    photos = [photo for photo in photos if photo]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(count)d photos per report.") % {"count": MAX_PHOTOS}}
        )
    return [photo_check(Photo(photo, PhotoPhase.BEFORE)) for photo in photos]


def _grid(lat: float, lng: float) -> Grid:
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        raise ValidationError(
            {
                "location": _(
                    "This place lies outside every grid GridGov serves: choose a point inside "
                    "one of the outlined grids."
                )
            }
        )
    return Grid.objects.select_related("community__street").get(pk=grid_id)


def _contact(*, anonymous: bool, name: str, phone: str, email: str) -> dict[str, str]:
    if anonymous:
        return {"name": "", "phone": "", "email": ""}
    name, phone, email = name.strip(), phone.strip(), email.strip()
    problems = {}
    if not name:
        problems["name"] = _("Give your name, or report anonymously.")
    if not phone and not email:
        problems["phone"] = _("Give a phone number or an e-mail address, or report anonymously.")
    if problems:
        raise ValidationError(problems)
    return {"name": name, "phone": phone, "email": email}


@transaction.atomic
def public_report_submit(
    *,
    channel: str,
    service: PublicService,
    description: str,
    lat: float,
    lng: float,
    address: str = "",
    anonymous: bool,
    name: str = "",
    phone: str = "",
    email: str = "",
    photos: Sequence[UploadedFile] = (),
    attributes: dict | None = None,
    api_key: Open311Key | None = None,
    device_id: str = "",
    account_id: str = "",
    media_url: str = "",
) -> tuple[PublicReport, str]:
    """Record a report from the public and return it with its follow token (shown once).

    A named web report and an Open311 request become a case at once (source ``resident``
    or ``open311``, no reporter account, the contact as the reporter's name and phone, the
    photos as "before" photos); an anonymous web report stays ``pending`` and its street's
    command centre is told. ValidationError (nothing written) for an inactive service, a
    point in no grid, unanswered or wrong answers, a named report without contact, or more
    than three photos or one that is not an image.
    """
    if channel not in ReportChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if channel == ReportChannel.OPEN311 and (api_key is None or not api_key.active):
        raise ValidationError({"api_key": _("An Open311 request needs an active API key.")})
    if not service.active or not service.category.active:
        raise ValidationError({"service": _("This service is not offered to the public.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    answers = attributes_check(service, attributes)
    checked = photos_check(photos)
    contact = _contact(anonymous=anonymous, name=name, phone=phone, email=email)
    grid = _grid(lat, lng)
    token, digest = new_token()
    now = timezone.now()
    report = PublicReport(
        token_hash=digest,
        channel=channel,
        api_key=api_key if channel == ReportChannel.OPEN311 else None,
        service=service,
        description=description.strip(),
        lat=lat,
        lng=lng,
        address=address.strip(),
        attributes=answers,
        anonymous=anonymous,
        device_id=device_id,
        account_id=account_id,
        media_url=media_url,
        grid=grid,
        **contact,
    )
    place_in_community(report, grid.community)
    report.reference = _reference(now)
    # The answers were checked above; the field (not blank=True) would refuse none at all.
    report.full_clean(exclude=["reference", "attributes"])
    _save_with_fresh_reference(report, now)
    for photo in checked:
        stored = PublicReportPhoto(report=report, content_type=photo.content_type)
        stored.file.save("photo", photo.file, save=False)
        stored.save()
    if channel == ReportChannel.OPEN311 or not anonymous:
        report = _to_ticket(report, moderator=None, now=now)
    else:
        _tell_moderators(report)
    return report, token


def _save_with_fresh_reference(report: PublicReport, now: datetime) -> None:
    for _attempt in range(REFERENCE_TRIES):
        try:
            with transaction.atomic():
                report.save()
            return
        except IntegrityError:
            if not PublicReport.objects.filter(reference=report.reference).exists():
                raise
            report.reference = _reference(now)
    raise IntegrityError("no free report reference after several draws")


def _ticket_description(report: PublicReport) -> str:
    """The report's words, then its answers, so that the case shows them."""
    answers = [f"{question}: {answer}" for question, answer in report_answers(report)]
    return "\n".join([report.description, *answers])


def _to_ticket(report: PublicReport, *, moderator, now: datetime) -> PublicReport:
    """Make ``report`` (pending, row locked by the caller or just written) a case."""
    photos = []
    for stored in report.photos.all():
        stored.file.open("rb")
        photos.append(Photo(stored.file, PhotoPhase.BEFORE))
    try:
        ticket = ticket_create(
            reporter=None,
            source=SOURCE_OF_CHANNEL[report.channel],
            category=report.service.category,
            lat=report.lat,
            lng=report.lng,
            description=_ticket_description(report),
            address=report.address,
            reporter_name=report.name,
            reporter_phone=report.phone,
            photos=photos,
        )
    finally:
        for photo in photos:
            photo.file.close()
    moderated = {"moderated_by": moderator, "moderated_at": now} if moderator else {}
    changed = PublicReport.objects.filter(pk=report.pk, status=ReportStatus.PENDING).update(
        status=ReportStatus.TICKETED, ticket=ticket, updated_at=now, **moderated
    )
    if not changed:
        raise AlreadyModerated(report.reference)
    return PublicReport.objects.select_related("ticket", "service__category").get(pk=report.pk)


def _tell_moderators(report: PublicReport) -> None:
    """Tell the street's command centre that an anonymous report awaits moderation."""
    notify_many(
        user_ids=holders([report], [Role.STREET_STAFF]).get(report.pk, set()),
        title=_("%(reference)s awaits moderation") % {"reference": report.reference},
        url=reverse("participation:moderation"),
        kind=NotificationKind.TICKET,
    )


def _pending_locked(report: PublicReport) -> PublicReport:
    locked = (
        PublicReport.objects.select_for_update()
        .filter(pk=report.pk, status=ReportStatus.PENDING)
        .first()
    )
    if locked is None:
        raise AlreadyModerated(report.reference)
    return locked


@transaction.atomic
def public_report_approve(*, report: PublicReport, by) -> PublicReport:
    """Approve a pending report: it becomes a case (as a named report does at once).
    AlreadyModerated when it is no longer pending; nothing changes then."""
    locked = _pending_locked(report)
    return _to_ticket(locked, moderator=by, now=timezone.now())


@transaction.atomic
def public_report_reject(*, report: PublicReport, by, note: str) -> PublicReport:
    """Reject a pending report with a note saying why (the follower sees only that it was
    rejected). AlreadyModerated when it is no longer pending."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the report is rejected.")})
    limit = PublicReport._meta.get_field("moderation_note").max_length
    if len(note) > limit:
        raise ValidationError(
            {"note": _("Keep the note under %(limit)d characters.") % {"limit": limit}}
        )
    now = timezone.now()
    changed = PublicReport.objects.filter(pk=report.pk, status=ReportStatus.PENDING).update(
        status=ReportStatus.REJECTED,
        moderated_by=by,
        moderated_at=now,
        moderation_note=note,
        updated_at=now,
    )
    if not changed:
        raise AlreadyModerated(report.reference)
    return PublicReport.objects.get(pk=report.pk)
