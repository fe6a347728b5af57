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
