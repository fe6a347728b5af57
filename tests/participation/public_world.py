"""Builders for the public side's tests: two streets with grids, public services (one with
a required list question, one with a free-text question), the command centre of the first
street, and reports made through the service like the pages make them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from grids.models import Grid
from incidents.services import category_create
from participation.choices import AttributeType, ReportChannel
from participation.models import PublicService, ServiceAttribute
from participation.services.open311 import open311_key_create
from participation.services.public_reports import public_report_submit
from tests import factories, people
from tests.incidents.cases import image_bytes, upload

RUBBISH_KINDS = [
    {"key": "household", "name": "生活垃圾"},
    {"key": "construction", "name": "建筑垃圾"},
]


def public_world() -> dict:
    district = factories.district()
    street = factories.street(parent=district, number=1)
    other_street = factories.street(parent=district, number=2)
    grid, grid2 = factories.grids(2, parent=factories.community(parent=street))
    far = factories.grid(parent=factories.community(parent=other_street))
    major = category_create(code="E01", kind="event", name="市容环境", name_en="City appearance")
    rubbish = category_create(
        code="E0101", kind="event", name="暴露垃圾", name_en="Exposed rubbish", parent=major
    )
    parking = category_create(
        code="E0201",
        kind="event",
        name="违章停车",
        name_en="Illegal parking",
        parent=category_create(code="E02", kind="event", name="街面秩序"),
    )
    internal = category_create(code="E0199", kind="event", name="内部类别", parent=major)
    rubbish_service = PublicService.objects.create(category=rubbish, keywords="垃圾", order=1)
    ServiceAttribute.objects.create(
        service=rubbish_service,
        code="kind",
        datatype=AttributeType.SINGLE,
        required=True,
        description="什么垃圾？",
        order=1,
        values=RUBBISH_KINDS,
    )
    parking_service = PublicService.objects.create(category=parking, order=2)
    ServiceAttribute.objects.create(
        service=parking_service,
        code="plate",
        datatype=AttributeType.STRING,
        required=False,
        description="车牌号",
        order=1,
    )
    staff = people.with_role("street_staff", street, "pr-staff", first_name="建国", last_name="张")
    return {
        "street": street,
        "other_street": other_street,
        "grid": grid,
        "grid2": grid2,
        "far": far,
        "rubbish": rubbish_service,
        "parking": parking_service,
        "internal_category": internal,
        "staff": staff,
        "other_staff": people.with_role("street_staff", other_street, "pr-other-staff"),
    }


def point(grid: Grid) -> dict:
    return {"lat": grid.centroid_lat, "lng": grid.centroid_lng}


def not_an_image(name: str = "note.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is not a picture", content_type="image/png")


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    return upload("PNG", name)


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def submit(world: dict, *, grid: Grid | None = None, anonymous: bool = False, **fields):
    """A web report of rubbish in ``grid`` (the world's first grid by default)."""
    values = {
        "channel": ReportChannel.WEB,
        "service": world["rubbish"],
        "description": "3号楼东侧堆了装修垃圾",
        "attributes": {"kind": "construction"},
        "anonymous": anonymous,
        **({} if anonymous else {"name": "刘女士", "phone": "13906351234"}),
        **point(grid or world["grid"]),
    }
    values.update(fields)
    return public_report_submit(**values)


def api_key(name: str = "Civic app") -> str:
    return open311_key_create(name=name)[1]
