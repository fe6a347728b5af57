"""Models of the incidents app, one module per concern; import them from here."""

from incidents.models.catalogue import CalendarOverride, Category, SlaPolicy
from incidents.models.tickets import Ticket, TicketCounter, TicketEvent

__all__ = [
    "CalendarOverride",
    "Category",
    "SlaPolicy",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
]
