"""Consistent case histories for the demo tickets, computed in memory (nothing is written).

A history walks ``incidents.workflow.WORKFLOW`` from the ticket's first status: every step
is looked up in the table, so a demo history only holds transitions the live workflow
offers. A step has the effects ``ticket_act`` would have had (stage clocks from the SLA
policies through ``incidents.calendar.due_at``, pauses, extensions, linked tasks, orders,
one event and one version each), and between steps the history holds what the deadline
sweep (``incidents.services.deadlines``) would have written: yellow and red alerts, the
escalation of each overdue stage and the automatic supervision orders at street level.

Times follow the stage limits: a step at share 0.5 of its stage happens halfway to the due
time, a share above 1 is late.
"""

from __future__ import annotations

import heapq
import itertools
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from incidents import calendar
from incidents.choices import (
    FINAL_STATUSES,
    OPEN_TASK_STATUSES,
    Action,
    EscalationReason,
    Level,
    LimitUnit,
    Priority,
    SlaColour,
    Source,
    Stage,
    Status,
    SupervisionLevel,
    SupervisionStatus,
    TaskRole,
    TaskStatus,
)
from incidents.clock import STATUS_STAGE, WARN_SHARE
from incidents.demo_cases import Case, History, Ref, Step
from incidents.services.deadlines import AUTO_ORDER_WORKING_HOURS
from incidents.workflow import RESTARTS_CLOCK, WORKFLOW

# The sweep runs every minute: it notices a passed warning or due time within that minute.
SWEEP_LAG = timedelta(seconds=30)
# A stage without an SLA policy runs no clock; its steps are spaced as if it had an hour.
UNTIMED_SPAN = timedelta(hours=1)
FINAL_ACTIONS = frozenset({Action.REJECT, Action.VOID, Action.CLOSE})
A = Action


def _warn(start: datetime | None, due: datetime | None) -> datetime | None:
    """The warning time of a stage from ``start`` to ``due``."""
    # As incidents.clock.due_and_warning: the warning time is a share of the plain span.
    return None if start is None or due is None else start + (due - start) * WARN_SHARE


class Sim:
    """Plays one planned history forward from ``created``; see :meth:`run`. With
    ``pin_at``, the pinned step (the start of an open case's running stage) happens then
    unless the steps before it ran later."""

    def __init__(
        self, case: Case, created: datetime, now: datetime, pin_at: datetime | None = None
    ) -> None:
        self.case, self.now, self.pin_at, self.natural = case, now, pin_at, None
        self.rng = random.Random(case.seed)  # noqa: S311 - demo data, not security
        self.plain = case.priority == Priority.EMERGENCY
        status = Status.CHECKING if case.source == Source.SELF_HANDLED else Status.REPORTED
        self.t: dict[str, Any] = {
            "status": status,
            "level": Level.GRID,
            "assignee_id": None,
            "lead_department_id": None,
            "rework_count": 0,
            "satisfaction": None,
            "closed_at": None,
            "paused_seconds": 0,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        self.events: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        self.escalations: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.alerted: set[tuple[datetime, datetime, str]] = set()
        self.pending: list[tuple[datetime, int, str, dict[str, Any]]] = []
        self.counter = itertools.count()
        self.last = self.swept = self.latest = created
        self._stage(status, created)
        self._event(A.REPORT, "", case.cast.reporter, created, data={"source": case.source})

    # The clock ---------------------------------------------------------------------------

    def _stage(self, status: str, at: datetime) -> None:
        """What ``stage_fields`` gives the status entered at ``at``."""
        stage = STATUS_STAGE.get(status, "")
        limit = self.case.limits.get(stage) if stage else None
        due = calendar.due_at(at, *limit, plain_clock=self.plain) if limit else None
        self.t |= {
            "stage": stage,
            "stage_started_at": at if stage else None,
            "stage_due_at": due,
            "stage_warn_at": _warn(at, due),
            "paused_at": None,
            "sla_colour": SlaColour.GREEN,
        }
        self.offset = timedelta(0)  # time parked in this stage
        self.span = due - at if due else UNTIMED_SPAN

    def _at(self, share: float) -> datetime:
        """When ``share`` of the running stage's limit is used, time parked included."""
        start = self.t["stage_started_at"] or self.last
        return start + self.span * share + self.offset

    # Running -----------------------------------------------------------------------------

    def run(self) -> History:
        """Every planned step in turn, with the sweep's work between them; an open case's
        running stage is swept up to now."""
        for step in self.case.steps:
            at = self.last + step.gap if step.gap is not None else self._at(step.share)
            if step.pinned:
                self.natural, at = at, self.pin_at or at
            at = max(at, self.last + timedelta(seconds=1))
            if step.optional and at > self.now:
                break
            self.latest = at
            self._advance(at)
            self._apply(step, at)
        end = self.latest
        if self.t["status"] not in FINAL_STATUSES:
            if self.case.open_share is not None:
                end = self._at(self.case.open_share)
            self._advance(self.now)
        return History(
            self.t, self.events, self.tasks, self.orders, self.escalations, self.alerts,
            self.latest, end, self.natural,
        )  # fmt: skip

    def _event(self, action, from_status, actor, at, *, note="", data=None) -> None:
        """One event, from ``from_status`` to the ticket's status now."""
        self.events.append(
            {
                "action": action,
                "from_status": from_status,
                "to_status": self.t["status"],
                "actor_id": actor,
                "at": at,
                "note": note,
                "data": data or {},
            }
        )
        self.t["updated_at"] = at

    def _write(self, at: datetime) -> None:
        """One more write of the ticket row at ``at``."""
        self.t["version"] += 1
        self.t["updated_at"] = at

    def _advance(self, until: datetime) -> None:
        """What the sweep and the people answering orders did before ``until``."""
        while True:
            best: tuple[datetime, str] | None = None
            due, warn = self.t["stage_due_at"], self.t["stage_warn_at"]
            if due is not None and self.t["paused_at"] is None:
                colour = self.t["sla_colour"]
                red_at = max(self.swept, due) + SWEEP_LAG
                yellow_at = max(self.swept, warn) + SWEEP_LAG
                if colour != SlaColour.RED and red_at < until:
                    best = (red_at, SlaColour.RED)
                if colour == SlaColour.GREEN and yellow_at < min(until, due):
                    best = (yellow_at, SlaColour.YELLOW)
            first = self.pending[0][0] if self.pending else until
            if first < until and (best is None or first < best[0]):
                at, _n, kind, order = heapq.heappop(self.pending)
                self.swept = at
                self._order_step(at, kind, order)
                continue
            if best is None:
                return
            self.swept = best[0]
            self._colour(*best)

    def _colour(self, at: datetime, colour: str) -> None:
        """The sweep colours the stage; the first alert for a due time and colour escalates
        an overdue case one level and orders supervision from street level up."""
        self.t["sla_colour"] = colour
        self._write(at)
        key = (self.t["stage_started_at"], self.t["stage_due_at"], colour)
        if key in self.alerted:
            return  # the alert exists already: the live sweep's insert is ignored
        self.alerted.add(key)
        self.alerts.append(
            {"stage_started_at": key[0], "due_at": key[1], "colour": colour, "at": at}
        )
        if colour != SlaColour.RED:
            return
        status = self.t["status"]
        if self.t["level"] < Level.DISTRICT:
            self.t["level"] += 1
            self._write(at)
            self.escalations.append(
                {"level": self.t["level"], "reason": EscalationReason.OVERDUE, "at": at}
            )
            self._event(
                A.ESCALATE,
                status,
                None,
                at,
                note=_("overdue"),
                data={"reason": EscalationReason.OVERDUE, "level": self.t["level"]},
            )
        if self.t["level"] >= Level.STREET:
            order = {
                "level": SupervisionLevel.RED,
                "reason": _("Overdue at %(level)s level: the %(stage)s stage ran past its limit.")
                % {"level": Level(self.t["level"]).label, "stage": Stage(self.t["stage"]).label},
                "due_at": calendar.due_at(at, AUTO_ORDER_WORKING_HOURS, LimitUnit.WORKING_HOURS),
                "status": SupervisionStatus.OPEN,
                "automatic": True,
                "issued_at": at,
            }
            self.orders.append(order)
            # The sweep writes the order's event without a version of its own.
            self._event(
                A.SUPERVISE,
                status,
                None,
                at,
                note=order["reason"],
                data={"order": Ref(order), "automatic": True, "level": order["level"]},
            )
            answer = at + timedelta(minutes=self.rng.uniform(40, 600))
            heapq.heappush(self.pending, (answer, next(self.counter), "answer", order))

    def _order_step(self, at: datetime, kind: str, order: dict[str, Any]) -> None:
        """An order answered by whoever answers for the case, or closed by a supervisor."""
        status = self.t["status"]
        if kind == "answer":
            actor = self.case.cast.pick("handlers" if self.case.lead else "staff", self.rng)
            note = self.rng.choice(NOTES[A.ANSWER_SUPERVISION])
            order |= {"status": SupervisionStatus.ANSWERED, "answer": note}
            order |= {"answered_by_id": actor, "answered_at": at}
            if self.rng.random() < 0.6:
                later = at + timedelta(minutes=self.rng.uniform(60, 1440))
                heapq.heappush(self.pending, (later, next(self.counter), "close", order))
            action = A.ANSWER_SUPERVISION
        else:
            actor, note = self.case.cast.pick("supervisors", self.rng), ""
            order |= {"status": SupervisionStatus.CLOSED, "closed_by_id": actor, "closed_at": at}
            action = A.CLOSE_SUPERVISION
        self._write(at)
        self._event(action, status, actor, at, note=note, data={"order": Ref(order)})

    # The workflow's guards and effects ----------------------------------------------------

    def _apply(self, step: Step, at: datetime) -> None:
        """One action as ``ticket_act`` applies it: guard changes, the new stage when the
        stage changes or the action restarts its clock, the effect, one event, one version."""
        t, action, data = self.t, step.action, dict(step.data)
        status = t["status"]
        transition = WORKFLOW[(status, action)]
        to = transition.to or status
        actor = self.case.cast.pick(step.role, self.rng)
        if action == A.ESCALATE and t["level"] >= Level.DISTRICT:
            return  # the guard refuses: the case is at the top of the ladder
        self._guard(action, actor, data, at)
        if to != status:
            if STATUS_STAGE.get(to, "") != t["stage"] or action in RESTARTS_CLOCK:
                self._stage(to, at)
            t["status"] = to
        if action == A.TAKE:
            t["assignee_id"] = actor
        extra = self._effect(action, actor, data, at, step.note)
        self._write(at)
        self._event(action, status, actor, at, note=step.note, data=data | extra)
        self.last = self.swept = at

    def _guard(self, action: str, actor, data: dict[str, Any], at: datetime) -> None:
        """The action's field changes before the status moves (as the workflow guards)."""
        t = self.t
        if action == A.APPROVE_EXTENSION:
            start = t["stage_started_at"]
            due = calendar.due_at(
                t["stage_due_at"], data["amount"], data["unit"], plain_clock=self.plain
            )
            colour = SlaColour.RED if at >= due else SlaColour.GREEN
            if colour == SlaColour.GREEN and at >= _warn(start, due):
                colour = SlaColour.YELLOW
            t |= {"stage_due_at": due, "stage_warn_at": _warn(start, due), "sla_colour": colour}
            self.span = due - self.offset - start
        elif action == A.PARK:
            t["paused_at"] = at
        elif action == A.RESUME:
            paused = at - t["paused_at"]
            t["paused_seconds"] += int(paused.total_seconds())
            t["paused_at"] = None
            if t["stage_due_at"] is not None:
                t["stage_due_at"] += paused
                t["stage_warn_at"] = _warn(t["stage_started_at"], t["stage_due_at"])
            self.offset += paused
        elif action in (A.REWORK, A.REOPEN):
            t["rework_count"] += 1
            if action == A.REOPEN:
                t["closed_at"] = None
        elif action == A.CLOSE:
            t["closed_at"] = at
        elif action == A.RATE and actor is not None:
            t["satisfaction"] = data["satisfaction"]
        elif action == A.DISPATCH:
            t["lead_department_id"] = data.get("lead_department")
        elif action == A.ESCALATE:
            t["level"] += 1

    def _tasks(self, role: str | None = None, statuses=OPEN_TASK_STATUSES) -> list[dict]:
        """The linked tasks of ``role`` (any role by default) in ``statuses``."""
        return [
            task
            for task in self.tasks
            if (role is None or task["role"] == role) and task["status"] in statuses
        ]

    def _set(self, tasks: list[dict], at: datetime, **values: Any) -> int:
        """Update ``tasks`` at ``at``; returns how many."""
        for task in tasks:
            task |= values | {"updated_at": at}
        return len(tasks)

    def _effect(self, action, actor, data, at, note) -> dict[str, Any]:
        """The action's effect on the rows around the ticket; returns extra event data."""
        t, lead, coop = self.t, TaskRole.LEAD, TaskRole.COOPERATING
        if action == A.DISPATCH and t["lead_department_id"] is not None:
            plan = [(t["lead_department_id"], lead)]
            plan += [(d, coop) for d in data["cooperating_departments"]]
            for department, role in plan:
                self.tasks.append(
                    {
                        "department_id": department,
                        "role": role,
                        "status": TaskStatus.PENDING,
                        "due_at": t["stage_due_at"],
                        "note": "",
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        elif action == A.TAKE:
            self._set(self._tasks(lead), at, status=TaskStatus.ACCEPTED)
        elif action in (A.TASK_ACCEPT, A.TASK_DONE):
            task = self._tasks(coop)[-1]
            done = action == A.TASK_DONE
            self._set([task], at, status=TaskStatus.DONE if done else TaskStatus.ACCEPTED)
            task["note"] = note
            return {"task": Ref(task), "department": task["department_id"]}
        elif action == A.RETURN:
            self._set(self._tasks(lead), at, status=TaskStatus.RETURNED)
            closed = TaskStatus.CLOSED_OUT
            self._set(self._tasks(coop), at, status=closed, note=_("returned to dispatch"))
        elif action == A.SUBMIT:
            self._set(self._tasks(lead), at, status=TaskStatus.DONE)
            reason = str(data.get("close_out_reason") or "")
            closed = self._set(self._tasks(coop), at, status=TaskStatus.CLOSED_OUT, note=reason)
            return {"closed_out_tasks": closed} if closed else {}
        elif action in (A.REWORK, A.REOPEN):
            not_returned = [s for s in TaskStatus if s != TaskStatus.RETURNED]
            self._set(
                self._tasks(lead, not_returned),
                at,
                status=TaskStatus.PENDING,
                due_at=t["stage_due_at"],
            )
        elif action in (A.APPROVE_EXTENSION, A.RESUME):
            self._set(self._tasks(lead), at, due_at=t["stage_due_at"])
        elif action == A.ESCALATE:
            self.escalations.append(
                {"level": t["level"], "reason": EscalationReason.MANUAL, "at": at, "by_id": actor}
            )
            return {"level": t["level"]}
        elif action in FINAL_ACTIONS:
            closing = _("closed with the case")
            for order in self.orders:
                if order["status"] != SupervisionStatus.CLOSED:
                    order |= {"status": SupervisionStatus.CLOSED, "closed_at": at}
                    order |= {"closed_by_id": actor, "closing_note": closing}
            self._set(self._tasks(), at, status=TaskStatus.CLOSED_OUT, note=closing)
            self.pending.clear()
        return {}


# Notes people type, as demo content (in the users' language, like the demo catalogue).
NOTES: dict[str, list[str]] = {
    A.REJECT: ["重复上报，已有同一问题的案件在办", "不属于受理范围", "描述不清且无法联系上报人"],
    A.VOID: ["现场核实问题不存在", "已由产权单位自行处置", "不符合立案标准"],
    A.RETURN: ["非本部门职责，请重新派遣", "属地不符，退回重派"],
    A.REQUEST_EXTENSION: ["需协调施工队伍和材料，申请延期", "涉及多个产权单位，需延长处置时间"],
    A.DENY_EXTENSION: ["理由不充分，请按原时限办结"],
    A.PARK: ["需等待专项资金到位，申请挂账", "需待天气好转后施工"],
    A.REQUEST_VOID: ["现场核查问题已消除，申请作废"],
    A.REWORK: ["现场核查未整改到位，需返工", "处置后问题复发，请重新处置"],
    A.REOPEN: ["市民回访不满意，重新处置"],
    A.TASK_DONE: ["协办事项已完成"],
    A.ESCALATE: ["多次督促仍未处置，提级办理"],
    A.ANSWER_SUPERVISION: ["已安排专人限期处置", "已协调施工队伍，今日内处置完毕"],
}


def rating_note() -> str:
    """The note of the automatic evaluation, as the rating job writes it."""
    return _("Not rated within %(days)d days.") % {"days": settings.RATING_WINDOW_DAYS}
