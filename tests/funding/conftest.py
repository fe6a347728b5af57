"""Shared fixtures of the funding tests: one street's books with the people around them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from funding.models import ExpenditureRequest
from funding.services.budgets import budget_create
from funding.services.expenditures import (
    expenditure_approve,
    expenditure_pay,
    expenditure_request,
)
from tests import factories, people


@pytest.fixture
def books(db):
    """A street with a community and a grid; two finance officers at the street
    ("finance1", "finance2"), one at the community, a supervisor of the district, a grid
    worker of the grid, a finance officer of another street; and the street's 2026 budget
    with an equipment line (50,000, district allocation) and a training line (8,000,
    donations)."""
    grid = factories.grid()
    street, community = grid.street, grid.community
    finance1 = people.with_role("finance_officer", street, "finance1")
    budget = budget_create(
        entity=street,
        fiscal_year=2026,
        created_by=finance1,
        lines=[("equipment", "district", "50000.00"), ("training", "donation", "8000.00")],
    )
    return {
        "street": street,
        "community": community,
        "grid": grid,
        "finance1": finance1,
        "finance2": people.with_role("finance_officer", street, "finance2"),
        "community_finance": people.with_role("finance_officer", community, "finance-c"),
        "supervisor": people.with_role("supervisor", street.district, "supervisor"),
        "worker": people.with_role("grid_worker", grid, "worker"),
        "outsider": people.with_role("finance_officer", factories.street(number=2), "finance-x"),
        "budget": budget,
        "equipment": budget.lines.get(category="equipment"),
        "training": budget.lines.get(category="training"),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def as_user():
    """An API client signed in as the given user."""
    return client_for


@pytest.fixture
def spend(books):
    """Request ``amount`` from a line (by finance1), approve it (by finance2, or by
    ``approvers``) and pay it, unless told to stop earlier."""

    def make(
        amount="1000.00",
        *,
        line=None,
        payee="五金建材店",
        until: str = "paid",
        requested_by=None,
        approvers=(),
    ) -> ExpenditureRequest:
        request = expenditure_request(
            budget_line=line or books["equipment"],
            amount=Decimal(amount),
            payee=payee,
            payee_kind="organisation",
            purpose="巡查设备采购",
            requested_by=requested_by or books["finance1"],
        )
        if until == "requested":
            return request
        for approver in approvers or (books["finance2"],):
            request = expenditure_approve(
                request=request, approver=approver, expected_version=request.version
            )
        if until == "approved":
            return request
        return expenditure_pay(
            request=request, paid_by=books["finance2"], expected_version=request.version
        )

    return make


@pytest.fixture
def pdf() -> bytes:
    """A minimal well-formed PDF."""
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def upload():
    """POST a file as a receipt of ``request`` through the API."""

    def post(client, request, name: str, content: bytes, content_type: str = "application/pdf"):
        return client.post(
            f"/api/v1/funding/expenditures/{request.pk}/receipts/",
            {"file": SimpleUploadedFile(name, content, content_type=content_type)},
            format="multipart",
        )

    return post
