"""Models of the funding app, one module per concern; import them from here."""

from funding.models.budgets import Approval, Budget, BudgetLine, ExpenditureRequest, Receipt
from funding.models.flags import Flag
from funding.models.ledger import Account, AccountBalance, Leg, PeriodLock, Transaction

__all__ = [
    "Account",
    "AccountBalance",
    "Approval",
    "Budget",
    "BudgetLine",
    "ExpenditureRequest",
    "Flag",
    "Leg",
    "PeriodLock",
    "Receipt",
    "Transaction",
]
