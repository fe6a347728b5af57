"""The ledger API: fund sources, accounts with their balances, and transactions (drafts,
posting and reversal as actions). Only finance officers, supervisors and administrators
read the books; only keepers (finance officers, administrators) write them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from funding import selectors
from funding.api.permissions import ChangePermission
from funding.choices import GOVERNMENT_SOURCES, FundSource
from funding.models import Account, Leg, Transaction
from funding.services.ledger import (
    AlreadyPosted,
    LegInput,
    transaction_create,
    transaction_post,
    transaction_reverse,
)
from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet, IdFilter
from grids.models import Community, Grid, Street

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class SourceList(APIView):
    """The fund sources every leg carries, and whether each is government money."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request):
        return Response(
            [
                {"code": code, "name": str(label), "government": code in GOVERNMENT_SOURCES}
                for code, label in FundSource.choices
            ]
        )


class AccountSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(
        source="posted_balance", read_only=True, allow_null=True, **MONEY
    )

    class Meta:
        model = Account
        fields = (
            "id",
            "entity_key",
            "street",
            "community",
            "grid",
            "code",
            "name",
            "type",
            "parent",
            "active",
            "balance",
        )
        read_only_fields = fields


class AccountFilterSet(FilterSet):
    class Meta:
        model = Account
        fields = ("street", "community", "grid", "type", "entity_key", "active")


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Accounts of the books the caller reads, with the posted balance of each."""

    selector = selectors.account_list
    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    permission_classes = [IsAuthenticated]


class LegSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Leg
        fields = ("id", "account", "account_code", "source", "amount", "memo")
        read_only_fields = fields


class TransactionSerializer(serializers.ModelSerializer):
    legs = LegSerializer(many=True, read_only=True)

    class Meta:
        model = Transaction
        fields = (
            "id",
            "entity_key",
            "street",
            "community",
            "grid",
            "date",
            "period",
            "description",
            "reference",
            "voucher_number",
            "status",
            "created_by",
            "created_at",
            "posted_by",
            "posted_at",
            "reverses",
            "legs",
        )
        read_only_fields = fields


class LegInputSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1)
    source = serializers.ChoiceField(choices=FundSource.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TransactionCreateSerializer(serializers.Serializer):
    """A journal entry of an entity (exactly one of street, community, grid)."""

    street = serializers.IntegerField(min_value=1, required=False)
    community = serializers.IntegerField(min_value=1, required=False)
    grid = serializers.IntegerField(min_value=1, required=False)
    date = serializers.DateField()
    description = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    voucher_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    legs = LegInputSerializer(many=True, min_length=2, max_length=50)
    post = serializers.BooleanField(default=False)

    def validate(self, attrs):
        named = [name for name in ("street", "community", "grid") if attrs.get(name)]
        if len(named) != 1:
            raise serializers.ValidationError(
                {"street": _("Name exactly one of street, community or grid.")}
            )
        return attrs


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=150)
    date = serializers.DateField(required=False)


class TransactionFilterSet(FilterSet):
    account = IdFilter(method="filter_account", label=_("Account"))

    class Meta:
        model = Transaction
        fields = {
            "status": ["exact"],
            "street": ["exact"],
            "community": ["exact"],
            "grid": ["exact"],
            "date": ["gte", "lte"],
        }

    def filter_account(self, queryset, name, value):
        return queryset.filter(legs__account_id=value).distinct()


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_posted"
    default_detail = _("This transaction is posted already.")


def _entity(data: dict, user):
    """The books' owner named in ``data``, if the caller keeps its books (else 403/400)."""
    for name, model in (("grid", Grid), ("community", Community), ("street", Street)):
        if data.get(name):
            entity = model.objects.filter(pk=data[name]).first()
            if entity is None:
                raise serializers.ValidationError({name: _("No such place.")})
            owner = Transaction()
            owner.set_entity(entity)
            if not selectors.keeps_books_of(user, owner):
                raise PermissionDenied(_("You do not keep these books."))
            return entity
    raise serializers.ValidationError({"street": _("Name the books' owner.")})


class TransactionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Transactions of the books the caller reads. Keepers record drafts (or post at once),
    post drafts and reverse posted ones; nothing posted is ever edited."""

    selector = selectors.transaction_list
    serializer_class = TransactionSerializer
    filterset_class = TransactionFilterSet

    def _keeper(self, books: Transaction) -> None:
        if not selectors.keeps_books_of(self.request.user, books):
            raise PermissionDenied(_("You do not keep these books."))

    @extend_schema(request=TransactionCreateSerializer, responses={201: TransactionSerializer})
    def create(self, request, *args, **kwargs):
        body = TransactionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entity = _entity(data, request.user)
        wanted = {leg["account"] for leg in data["legs"]}
        accounts = Account.objects.in_bulk(wanted)
        missing = [
            index for index, leg in enumerate(data["legs"]) if leg["account"] not in accounts
        ]
        if missing:
            raise serializers.ValidationError(
                {f"legs.{index}.account": _("No such account.") for index in missing}
            )
        books = transaction_create(
            entity=entity,
            created_by=request.user,
            date=data["date"],
            description=data["description"],
            reference=data.get("reference", ""),
            voucher_number=data.get("voucher_number", ""),
            legs=[
                LegInput(accounts[leg["account"]], leg["source"], leg["amount"], leg["memo"])
                for leg in data["legs"]
            ],
            post=data["post"],
        )
        books = selectors.transaction_list(user=request.user).get(pk=books.pk)
        return Response(self.get_serializer(books).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TransactionSerializer})
    # Named apart from its path: a method called "post" would answer every POST here.
    @action(
        detail=True,
        methods=["post"],
        url_path="post",
        url_name="post",
        permission_classes=[ChangePermission],
    )
    def post_draft(self, request, pk=None):
        """Post a draft; a posted one answers 409 and nothing is posted twice."""
        books = self.get_object()
        self._keeper(books)
        try:
            transaction_post(transaction=books, posted_by=request.user)
        except AlreadyPosted:
            raise Conflict() from None
        return Response(self.get_serializer(self.get_queryset().get(pk=books.pk)).data)

    @extend_schema(request=ReverseSerializer, responses={201: TransactionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def reverse(self, request, pk=None):
        """Correct a posted transaction with its mirror image (once)."""
        books = self.get_object()
        self._keeper(books)
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = transaction_reverse(
            transaction=books,
            reversed_by=request.user,
            date=body.validated_data.get("date"),
            reason=body.validated_data["reason"],
        )
        reversal = self.get_queryset().get(pk=reversal.pk)
        return Response(self.get_serializer(reversal).data, status=status.HTTP_201_CREATED)


router = SimpleRouter(trailing_slash=True)
router.register("accounts", AccountViewSet, basename="funding-account")
router.register("transactions", TransactionViewSet, basename="funding-transaction")

urlpatterns = [
    path("sources/", SourceList.as_view(), name="funding-sources"),
    *router.urls,
]
