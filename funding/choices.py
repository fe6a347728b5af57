from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountType(models.TextChoices):
    ASSET = "asset", _("asset")
    LIABILITY = "liability", _("liability")
    INCOME = "income", _("income")
    EXPENSE = "expense", _("expense")
    EQUITY = "equity", _("equity")


class FundSource(models.TextChoices):
    """Where money came from; every ledger leg carries one (the policy asks for more than
    one source, and for regular use of each)."""

    MUNICIPAL = "municipal", _("municipal allocation")
    DISTRICT = "district", _("district allocation")
    STREET = "street", _("street allocation")
    SPECIAL = "special", _("higher-level special fund")
    SPONSORSHIP = "sponsorship", _("enterprise sponsorship")
    DONATION = "donation", _("social donation")
    SOCIAL_ORG = "social_org", _("social-organisation grant")
    SERVICE_INCOME = "service_income", _("service income")
    OTHER = "other", pgettext_lazy("fund source", "other")


GOVERNMENT_SOURCES = frozenset(
    {FundSource.MUNICIPAL, FundSource.DISTRICT, FundSource.STREET, FundSource.SPECIAL}
)


class EntityKind(models.TextChoices):
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")


class TransactionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    POSTED = "posted", _("posted")


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("personnel subsidies")
    EQUIPMENT = "equipment", _("equipment")
    TRAINING = "training", pgettext_lazy("budget category", "training")
    ACTIVITIES = "activities", _("activities")
    PLATFORM = "platform", _("information platform")
    OFFICE = "office", _("office")
    OTHER = "other", pgettext_lazy("budget category", "other")


class ExpenditureStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", pgettext_lazy("expenditure status", "approved")
    PAID = "paid", _("paid")
    REJECTED = "rejected", pgettext_lazy("expenditure status", "rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PayeeKind(models.TextChoices):
    ORGANISATION = "organisation", _("organisation")
    INDIVIDUAL = "individual", _("individual")


class FlagKind(models.TextChoices):
    OVER_BUDGET = "over_budget", _("over the budget line")
    MISSING_RECEIPT = "missing_receipt", _("missing receipt")
    SPLIT_PAYMENT = "split_payment", _("payments split under the approval threshold")
    OFF_DAY_POSTING = "off_day_posting", _("posted outside working days")
    YEAR_END_RUSH = "year_end_rush", _("large share spent at year end")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "open")
    RESOLVED = "resolved", _("resolved")
