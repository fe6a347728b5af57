"""Time filters accept any ISO 8601 offset Python parses, and never pass one the database
refuses (PostgreSQL rejects offsets beyond ±15:59)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2026-11-22T08:00:00+08:00", 200),
        ("0052-08-31T11:22:11-20:12", 200),
        ("0001-01-01T00:00:00+05:00", 400),
        ("not a time", 400),
    ],
)
def test_a_time_filter_answers_200_or_400_never_500(plain_api, value, status):
    response = plain_api.get("/api/v1/training-sessions/", {"starts_at__lte": value})
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["errors"][0]["attr"] == "starts_at__lte"


def test_the_filter_compares_in_utc(api, admin_user):
    from datetime import UTC, datetime

    from personnel.models import Course, TrainingSession
    from tests import factories

    street = factories.street()
    course = Course.objects.create(code="T1", title="Time", hours=1)
    session = TrainingSession.objects.create(
        course=course,
        street=street,
        starts_at=datetime(2026, 11, 22, 0, 30, tzinfo=UTC),
        ends_at=datetime(2026, 11, 22, 2, 0, tzinfo=UTC),
    )
    before = api.get("/api/v1/training-sessions/", {"starts_at__gte": "2026-11-22T08:31:00+08:00"})
    after = api.get("/api/v1/training-sessions/", {"starts_at__gte": "2026-11-22T08:29:00+08:00"})
    assert [row["id"] for row in before.json()["results"]] == []
    assert [row["id"] for row in after.json()["results"]] == [session.pk]


def date_time_query_parameters() -> list[tuple[str, str]]:
    """Every (list path, parameter) the API schema declares as a date-time query parameter."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in document["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter["schema"].get("format") == "date-time":
                found.append((path, parameter["name"]))
    return found


def test_every_time_parameter_of_the_api_takes_far_offsets_and_refuses_times_out_of_range(api):
    parameters = date_time_query_parameters()
    paths = {path for path, _ in parameters}
    assert {"/api/v1/points/", "/api/v1/activities/", "/api/v1/tickets/"} <= paths
    for path, name in parameters:
        far = api.get(path, {name: "2026-05-07T07:42:55.1+19:47"})
        assert far.status_code in (200, 400), (path, name, far.content)
        assert name not in errors_named(far), (path, far.content)
        beyond = api.get(path, {name: "0001-01-01T00:00:00+05:00"})
        assert beyond.status_code == 400, (path, name, beyond.content)
        assert name in errors_named(beyond), (path, beyond.content)


def errors_named(response) -> set[str]:
    """The parameters a 400 names (other required parameters may be missing)."""
    if response.status_code != 400:
        return set()
    return {error["attr"] for error in response.json()["errors"]}
