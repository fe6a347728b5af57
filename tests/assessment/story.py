"""A small week of real cases, driven through the workflow with the test clock.

Limits (see the ``place`` fixture): accept 1 h, verify 2 h, dispatch 3 h, handle 4 h,
check 5 h. Day 0:

* ``hotline``: a resident's call at 09:00, verified on site, filed and dispatched on time;
  handled at 15:00, an hour after the handle stage ran out (the sweep turned it red at
  14:00 and escalated it to community level); checked and closed at 15:20; rated 2.
* ``patrol``: reported by the worker at 10:00, filed and dispatched at once, handled on
  time, sent back for rework by the worker, handled again and closed at 12:30; rated 5.
* ``self_handled``: fixed by the worker on the spot at 11:10, closed by staff at 11:30.
* ``invalid``: reported by the worker at 11:40, rejected by staff.
"""

from __future__ import annotations

from incidents.models import Ticket
from incidents.services.deadlines import deadline_sweep
from tests.incidents.cases import act, report


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def do(ticket: Ticket, actor, action: str, **kwargs) -> Ticket:
    return act(_fresh(ticket), actor, action, **kwargs)


def day_zero(place, clock) -> dict[str, Ticket]:
    staff, worker, handler = place["staff"], place["worker"], place["handler"]
    clock.at(0, 9)
    hotline = report(place, "hotline")
    clock.at(0, 9, 10)
    do(hotline, staff, "accept")
    clock.at(0, 9, 20)
    do(hotline, staff, "request_verification")
    clock.at(0, 9, 30)
    do(hotline, worker, "verify")
    clock.at(0, 9, 40)
    do(hotline, staff, "file")
    clock.at(0, 9, 50)
    do(hotline, staff, "dispatch")
    clock.at(0, 9, 55)
    do(hotline, handler, "take")

    clock.at(0, 10)
    patrol = report(place, "patrol", reporter=worker)
    for minute, action in ((5, "accept"), (10, "file"), (15, "dispatch"), (20, "take")):
        clock.at(0, 10, minute)
        do(patrol, staff if action != "take" else handler, action)
    clock.at(0, 11)
    do(patrol, handler, "submit")
    clock.at(0, 11, 5)
    do(patrol, worker, "start_check")
    clock.at(0, 11, 10)
    do(patrol, worker, "rework", note="the pile is still there")

    self_handled = report(place, "self_handled", reporter=worker)
    clock.at(0, 11, 20)
    do(patrol, handler, "take")
    clock.at(0, 11, 30)
    do(self_handled, staff, "close")
    clock.at(0, 11, 40)
    invalid = report(place, "patrol", reporter=worker)
    clock.at(0, 11, 45)
    do(invalid, staff, "reject", note="nothing there")
    clock.at(0, 12)
    do(patrol, handler, "submit")
    clock.at(0, 12, 10)
    do(patrol, worker, "start_check")
    clock.at(0, 12, 30)
    do(patrol, worker, "close")

    clock.at(0, 14)
    deadline_sweep(now=clock.now)  # the hotline case's handle stage (due 13:50) turns red
    clock.at(0, 15)
    do(hotline, handler, "submit")
    clock.at(0, 15, 10)
    do(hotline, worker, "start_check")
    clock.at(0, 15, 20)
    do(hotline, worker, "close")
    clock.at(0, 16)
    do(hotline, place["resident"], "rate", data={"satisfaction": 2})
    do(patrol, staff, "rate", data={"satisfaction": 5})
    return {"hotline": hotline, "patrol": patrol, "self_handled": self_handled, "invalid": invalid}
