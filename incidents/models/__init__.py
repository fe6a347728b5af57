"""Models of the incidents app, one module per concern; import them from here."""

from incidents.models.catalogue import CalendarOverride, Category, SlaPolicy
from incidents.models.handling import (
    Attachment,
    Escalation,
    IdleWorkerReport,
    LinkageTask,
    StageAlert,
    SupervisionOrder,
    SupervisorDigest,
)
from incidents.models.tickets import Ticket, TicketCounter, TicketEvent

__all__ = [
    "Attachment",
    "CalendarOverride",
    "Category",
    "Escalation",
    "IdleWorkerReport",
    "LinkageTask",
    "SlaPolicy",
    "StageAlert",
    "SupervisionOrder",
    "SupervisorDigest",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
]
