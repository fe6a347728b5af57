"""Signals of the incidents app, for higher apps that react to cases (participation sends
rating links when a public case closes). Receivers must not change the ticket: they queue
their own work with ``transaction.on_commit``."""

from django.dispatch import Signal

# Sent by ``ticket_act`` after each workflow step, inside its transaction, with
# ``ticket`` (as it is after the step), ``action`` and ``event`` (the TicketEvent written).
ticket_acted = Signal()
