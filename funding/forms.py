"""Forms of the finance officers' and supervisors' pages. They only shape and type the
input; every rule of the books is the services' (their refusals land on these fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from funding.choices import BudgetCategory, FundSource, PayeeKind
from funding.models import Account, BudgetLine
from funding.services.budgets import FIRST_YEAR, LAST_YEAR

MONEY = {"max_digits": 14, "decimal_places": 2}
LEG_ROWS = 4
BLANK = [("", "---------")]


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the fields it names; what names no field of the form
    (``legs.0.amount``, ``status``) goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class TransactionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    voucher_number = forms.CharField(label=_("Voucher number"), max_length=30, required=False)
    post = forms.BooleanField(
        label=_("Post at once"),
        required=False,
        help_text=_("Leave it unticked to keep a draft that someone posts later."),
    )


class LegForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    # An empty first choice, so that an untouched row of the form counts as empty.
    source = forms.ChoiceField(label=_("Fund source"), choices=BLANK + FundSource.choices)
    amount = forms.DecimalField(
        label=_("Amount"), help_text=_("Debit positive, credit negative."), **MONEY
    )
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)

    def __init__(self, *args, accounts: QuerySet[Account], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: f"{a.code} {a.name}"


class BaseLegFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.has_changed()]
        if len(filled) < 2:
            raise ValidationError(_("A transaction has at least two legs."))


LegFormSet = forms.formset_factory(
    LegForm, formset=BaseLegFormSet, extra=LEG_ROWS, max_num=12, validate_max=True
)


def leg_formset(accounts: QuerySet[Account], data=None) -> forms.BaseFormSet:
    return LegFormSet(data, prefix="legs", form_kwargs={"accounts": accounts})


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    date = forms.DateField(
        label=_("Date of the reversal"),
        required=False,
        help_text=_("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class BudgetForm(forms.Form):
    entity = forms.ChoiceField(label=_("Books of"))
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    def __init__(self, *args, entities: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entities


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    source = forms.ChoiceField(label=_("Fund source"), choices=FundSource.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, **MONEY)


class LineAmountForm(forms.Form):
    amount = forms.DecimalField(label=_("New amount"), min_value=0, **MONEY)


class ExpenditureForm(forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    payee = forms.CharField(label=_("Payee"), max_length=100)
    payee_kind = forms.ChoiceField(label=_("Payee kind"), choices=PayeeKind.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, widget=forms.Textarea)

    def __init__(self, *args, lines: QuerySet[BudgetLine], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines
        self.fields["budget_line"].label_from_instance = _line_label

    def clean_payee(self) -> str:
        return self.cleaned_data["payee"].strip()


def _line_label(line: BudgetLine) -> str:
    budget = line.budget
    return (
        f"{budget.entity} · {budget.fiscal_year} · {line.get_category_display()} · "
        f"{line.get_source_display()} · {line.amount}"
    )


class NoteForm(forms.Form):
    """The note of an approval (optional), a rejection or a flag's resolution (required)."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReceiptForm(forms.Form):
    file = forms.FileField(label=_("Receipt"), help_text=_("A PDF, or a JPEG, PNG or WebP image."))
