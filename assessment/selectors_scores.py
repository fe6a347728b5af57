"""Reads of the monthly scores, always for a user, and who may adjust and sign them off.

Who reads a score: the scored grid worker; whoever works at the community, street or
district level over the subject (street staff read the scores of their street, a
district's supervisors all of the district's); a department's handlers their own
department's. Working only at grid level (grid workers, grid chiefs of a grid) gives no
one else's score.

Who adjusts and signs off: supervisors and administrators (role assignments in force, at
district or street scope) over the subject, and superusers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from assessment.choices import SubjectKind
from assessment.models import MonthlyScore, ScoreAdjustment, ScoreSignOff
from personnel.choices import AssignmentState, Role, ScopeType
from personnel.models import GridAssignment, GridWorker, RoleAssignment
from personnel.scope import UserScope, scope_for

SIGNING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _workers_q(scope: UserScope) -> Q:
    """Worker profiles employed by a street the scope covers, or assigned now to a grid in
    a community, street or district it covers (not to a grid it holds only as a grid)."""
    places = (
        Q(grid__community_id__in=scope.community_ids)
        | Q(grid__street_id__in=scope.street_ids)
        | Q(grid__district_id__in=scope.district_ids)
    )
    assigned = GridAssignment.objects.filter(places, until__isnull=True).values("worker_id")
    return scope.street_area_q("street") | Q(pk__in=assigned)


def _department_q(scope: UserScope) -> Q:
    return (
        Q(department_id__in=scope.department_ids)
        | Q(department__district_id__in=scope.district_ids)
        | Q(department__street_id__in=scope.street_ids)
    )


def _community_q(scope: UserScope) -> Q:
    return (
        Q(community_id__in=scope.community_ids)
        | Q(community__street_id__in=scope.street_ids)
        | Q(community__street__district_id__in=scope.district_ids)
    )


def score_list(*, user) -> QuerySet[MonthlyScore]:
    """Monthly scores the user may read (see the module), newest month first, with their
    scheme, subject, adjustments and sign-offs loaded (a fixed number of queries)."""
    if not _signed_in(user):
        return MonthlyScore.objects.none()
    scores = MonthlyScore.objects.select_related(
        "scheme", "worker", "worker__grid_worker", "department", "community"
    ).prefetch_related(
        Prefetch("adjustments", queryset=ScoreAdjustment.objects.select_related("by")),
        Prefetch("sign_offs", queryset=ScoreSignOff.objects.select_related("by")),
    )
    scope = scope_for(user)
    if scope.is_global:
        return scores
    workers = GridWorker.objects.filter(_workers_q(scope)).values("user_id")
    return scores.filter(
        Q(kind=SubjectKind.WORKER, worker=user)
        | Q(kind=SubjectKind.WORKER, worker_id__in=workers)
        | Q(kind=SubjectKind.DEPARTMENT) & _department_q(scope)
        | Q(kind=SubjectKind.COMMUNITY) & _community_q(scope)
    )


@dataclass(frozen=True)
class SigningScope:
    """The districts and streets where the user holds a signing role."""

    is_global: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)

    def covers(self, *, district_id: int | None, street_id: int | None) -> bool:
        return self.is_global or district_id in self.district_ids or street_id in self.street_ids


def signing_scope(user) -> SigningScope:
    """Where ``user`` may adjust and sign off scores (one query)."""
    if not _signed_in(user):
        return SigningScope()
    if user.is_superuser:
        return SigningScope(is_global=True)
    held = RoleAssignment.objects.filter(
        user=user, role__in=SIGNING_ROLES, state=AssignmentState.ACTIVE
    ).values_list("scope_type", "district_id", "street_id")
    districts = {district for kind, district, _street in held if kind == ScopeType.DISTRICT}
    streets = {street for kind, _district, street in held if kind == ScopeType.STREET}
    return SigningScope(district_ids=frozenset(districts), street_ids=frozenset(streets))


def subject_place(score: MonthlyScore) -> tuple[int | None, int | None]:
    """The (district, street) a score's subject belongs to: the worker's employing street,
    the department's district and street, the community's street and district."""
    if score.kind == SubjectKind.WORKER:
        found = (
            GridWorker.objects.filter(user_id=score.worker_id)
            .values_list("street__district_id", "street_id")
            .first()
        )
        return found or (None, None)
    if score.kind == SubjectKind.DEPARTMENT:
        return score.department.district_id, score.department.street_id
    return score.community.street.district_id, score.community.street_id


def may_sign(*, user, score: MonthlyScore) -> bool:
    """Whether ``user`` may adjust and sign off ``score``."""
    reach = signing_scope(user)
    if reach.is_global:
        return True
    district_id, street_id = subject_place(score)
    return reach.covers(district_id=district_id, street_id=street_id)
