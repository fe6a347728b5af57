"""The plans of demo cases: the steps of a case, its cast, and where each step falls in
its stage (see :mod:`incidents.demo_histories`, which plays them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from incidents.clock import STATUS_STAGE
from incidents.workflow import RESTARTS_CLOCK, WORKFLOW


@dataclass
class Step:
    """One workflow action of a planned history, by whom (a role of :class:`Cast`)."""

    action: str
    role: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    gap: timedelta | None = None  # a plain delay after the previous step, instead of a share
    optional: bool = False  # left out, with what follows, when it would fall after now
    share: float = 0.0  # where in its stage clock the step falls (1.0: at the due time)
    pinned: bool = False  # it starts the running stage of an open case (see Sim's pin_at)


@dataclass
class Cast:
    """Who may act on one ticket, by role (user ids); ``admin`` stands in for a role nobody
    holds there, as an administrator holds every role."""

    staff: list[int]
    field: list[int]
    handlers: list[int]
    wrong: list[int]
    coop: list[int]
    supervisors: list[int]
    admin: int | None
    reporter: int | None = None

    def pick(self, role: str, rng: random.Random) -> int | None:
        """One user for ``role`` (None for the system)."""
        if role == "system":
            return None
        if role == "reporter":
            return self.reporter
        people = getattr(self, role)
        return rng.choice(people) if people else self.admin


@dataclass
class Case:
    """What a history is made from: the ticket's source, priority and limits, its plan and
    who acts, how far the running stage of an open case should have run, and a seed."""

    source: str
    priority: str
    limits: dict[str, tuple[int, str]]  # stage → (amount, unit) of the SLA policy
    lead: int | None
    steps: list[Step]
    cast: Cast
    seed: str
    open_share: float | None = None


class Ref:
    """A row of another table named in an event's data: its id once the row is written."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def resolve(self) -> int:
        """The written row's id."""
        return self.row["pk"]


@dataclass
class History:
    """The ticket's columns and the rows around it, as dicts of model field values."""

    fields: dict[str, Any]
    events: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    latest: datetime  # when the last step that had to happen happened
    end: datetime  # where the running stage's planned share falls (open cases)
    natural: datetime | None  # when the pinned step would have happened unpinned


def schedule(
    rng: random.Random, steps: list[Step], first: str, *, late: int, open_share: float | None
) -> None:
    """Give each clocked step its share of its stage: the step that ends a stage on time
    falls before the due time, in ``late`` stages after it; steps inside a stage fall before
    the one that ends it; in the running stage of an open case, before ``open_share``."""
    groups: list[tuple[list[Step], bool]] = []
    current: list[Step] = []
    status, stage = first, STATUS_STAGE.get(first, "")
    for step in steps:
        transition = WORKFLOW.get((status, step.action))
        if transition is None:
            raise ValueError(f"the demo plan takes {step.action} in {status}")
        to = transition.to or status
        if step.gap is None:
            current.append(step)
        if to != status and (STATUS_STAGE.get(to, "") != stage or step.action in RESTARTS_CLOCK):
            groups.append((current, True))
            current, stage = [], STATUS_STAGE.get(to, "")
        status = to
    groups.append((current, False))
    if open_share is not None and len(groups) > 1 and groups[-2][0]:
        groups[-2][0][-1].pinned = True
    ending = [i for i, (group, ended) in enumerate(groups) if ended and group]
    late_ones = set(rng.sample(ending, min(late, len(ending))))
    for i, (group, ended) in enumerate(groups):
        if ended and i in late_ones:
            end = rng.uniform(1.1, 2.4)
        elif ended:
            end = rng.triangular(0.08, 0.97, 0.4)
        else:
            end = open_share or 1.0
        inner = group[:-1] if ended else group
        shares = sorted(rng.uniform(0.04, 0.92) * end for _step in inner)
        for step, share in zip(inner, shares, strict=True):
            step.share = share
        if ended and group:
            group[-1].share = end
