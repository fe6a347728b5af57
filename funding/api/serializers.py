"""Shapes of the budget, expenditure and flag API: read shapes of the rows, and the bodies
of the writes (which go through the services)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding import selectors
from funding.choices import BudgetCategory, EntityKind, FundSource, PayeeKind
from funding.models import Approval, Budget, BudgetLine, ExpenditureRequest, Flag, Receipt
from funding.services.budgets import FIRST_YEAR, LAST_YEAR
from funding.services.checks import RESOLUTION_MAX
from funding.services.expenditures import NOTE_MAX

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}
MAX_ID = 2**63 - 1
MAX_LINES = 50


class BudgetLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = BudgetLine
        fields = ("id", "category", "source", "amount")
        read_only_fields = fields


class BudgetSerializer(serializers.ModelSerializer):
    entity_kind = serializers.ChoiceField(choices=EntityKind.choices, read_only=True)
    lines = BudgetLineSerializer(many=True, read_only=True)

    class Meta:
        model = Budget
        fields = (
            "id",
            "entity_key",
            "entity_kind",
            "district",
            "street",
            "community",
            "grid",
            "fiscal_year",
            "created_by",
            "created_at",
            "lines",
        )
        read_only_fields = fields


class BudgetLineInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    source = serializers.ChoiceField(choices=FundSource.choices)
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)


class BudgetCreateSerializer(serializers.Serializer):
    """A budget of the books of one street, community or grid, for one year."""

    entity_kind = serializers.ChoiceField(choices=EntityKind.choices)
    entity = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The id of the street, community or grid.")
    )
    fiscal_year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    lines = BudgetLineInputSerializer(many=True, max_length=MAX_LINES, required=False)


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ("approver", "approved", "note", "at")
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Receipt
        fields = ("id", "content_type", "size", "uploaded_by", "uploaded_at")
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer):
    budget = serializers.IntegerField(source="budget_line.budget_id", read_only=True)
    entity_key = serializers.CharField(source="budget_line.budget.entity_key", read_only=True)
    street = serializers.IntegerField(source="budget_line.budget.street_id", read_only=True)
    amount = serializers.DecimalField(read_only=True, **MONEY)
    approvals = ApprovalSerializer(many=True, read_only=True)
    receipts = ReceiptSerializer(many=True, read_only=True)

    class Meta:
        model = ExpenditureRequest
        fields = (
            "id",
            "budget",
            "budget_line",
            "entity_key",
            "street",
            "amount",
            "payee",
            "payee_kind",
            "purpose",
            "status",
            "requested_by",
            "created_at",
            "updated_at",
            "paid_at",
            "paid_by",
            "transaction",
            "version",
            "approvals",
            "receipts",
        )
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class VisibleLineField(serializers.PrimaryKeyRelatedField):
    """A budget line of the books the caller reads."""

    def get_queryset(self):
        request = self.context.get("request")
        budgets = selectors.budget_list(user=getattr(request, "user", None))
        return BudgetLine.objects.filter(budget__in=budgets.values("pk")).select_related("budget")


class ExpenditureCreateSerializer(serializers.Serializer):
    budget_line = VisibleLineField()
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    payee = serializers.CharField(max_length=100)
    payee_kind = serializers.ChoiceField(choices=PayeeKind.choices)
    purpose = serializers.CharField(max_length=300)


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, help_text=_("Why the request is refused."))


class ReceiptUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A PDF, or a JPEG, PNG or WebP image."))


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = (
            "id",
            "kind",
            "key",
            "reason",
            "entity_key",
            "district",
            "street",
            "community",
            "grid",
            "request",
            "transaction",
            "detected_at",
            "status",
            "resolved_by",
            "resolved_at",
            "resolution",
        )
        read_only_fields = fields


class FlagResolveSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=RESOLUTION_MAX, help_text=_("What was found or done about it.")
    )


class CheckCountsSerializer(serializers.Serializer):
    """New flags of each kind raised by a run of the checks."""

    over_budget = serializers.IntegerField(read_only=True)
    missing_receipt = serializers.IntegerField(read_only=True)
    split_payment = serializers.IntegerField(read_only=True)
    off_day_posting = serializers.IntegerField(read_only=True)
    year_end_rush = serializers.IntegerField(read_only=True)
