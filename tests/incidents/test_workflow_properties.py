"""Random walks through the workflow keep its promises (Hypothesis state machine):

* a closed ticket takes no action but a rating or a reopening;
* the escalation level never goes down;
* the version rises by one on every write and only then;
* every change has exactly one event;
* a stage's deadline is never earlier than the stage's start.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from incidents.choices import Action, Status
from incidents.models import Ticket
from incidents.workflow import ActionNotAllowed, allowed_actions, ticket_act
from tests.incidents.cases import after_photo, report

ACTIONS = [action for action in Action if action != Action.REPORT]
# Street staff take most actions; listed twice so that walks move on.
ACTORS = ["staff", "staff", "worker", "handler", "supervisor", "resident", "outsider"]
DATA = [
    {},
    {"satisfaction": 1},
    {"satisfaction": 5},
    {"amount": 2, "unit": "hours"},
    {"to_grid": True},
    {"satisfaction": "many"},
    "after-photo",
]
AFTER_CLOSING = {Action.RATE, Action.REOPEN}


def _machine(place):
    class Workflow(RuleBasedStateMachine):
        @initialize(source=st.sampled_from(["hotline", "patrol", "self_handled"]))
        def start(self, source):
            self.ticket = report(place, source=source)
            self.changes = 0
            self.level = 0

        @rule(choice=st.data())
        def act(self, choice):
            # Mostly actions the status offers, by people likely to hold the role, so that
            # walks reach the far end of the loop; sometimes anything at all.
            offered = allowed_actions(self.ticket.status)
            actions = st.sampled_from(ACTIONS)
            if offered:
                actions = st.one_of(st.sampled_from(offered), st.sampled_from(offered), actions)
            action = choice.draw(actions)
            actor = choice.draw(st.sampled_from(ACTORS))
            note = choice.draw(st.sampled_from(["因为现场需要", "因为现场需要", ""]))
            data = choice.draw(st.sampled_from(DATA))
            if data == "after-photo":
                data = {"photos": [after_photo()]}
            before = self.ticket
            try:
                after = ticket_act(
                    ticket=before,
                    actor=place[actor],
                    action=action,
                    expected_version=before.version,
                    note=note,
                    data=data,
                )
            except (ActionNotAllowed, PermissionDenied, ValidationError):
                after = Ticket.objects.get(pk=before.pk)
                assert after.version == before.version
                return
            if before.status in (Status.CLOSED, Status.EVALUATED):
                assert action in AFTER_CLOSING
            assert after.version == before.version + 1
            self.changes += 1
            self.ticket = after

        @invariant()
        def closed_tickets_offer_only_rating_and_reopening(self):
            if self.ticket.status in (Status.CLOSED, Status.EVALUATED):
                assert set(allowed_actions(self.ticket.status)) <= AFTER_CLOSING

        @invariant()
        def the_level_never_goes_down(self):
            assert self.ticket.level >= self.level
            self.level = self.ticket.level

        @invariant()
        def every_change_has_one_event(self):
            assert self.ticket.events.count() == 1 + self.changes

        @invariant()
        def deadlines_never_precede_their_stage(self):
            ticket = self.ticket
            if ticket.stage_due_at is not None:
                assert ticket.stage_due_at >= ticket.stage_started_at

    return Workflow


# CI's budget; another Hypothesis profile (make nightly: tests/conftest.py) brings its own.
CI_BUDGET = (
    {"max_examples": 40, "stateful_step_count": 40}
    if settings.get_current_profile_name() == "default"
    else {}
)
MACHINE_SETTINGS = settings(
    **CI_BUDGET,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_random_walks_keep_the_workflow_promises(place):
    run_state_machine_as_test(_machine(place), settings=MACHINE_SETTINGS)
