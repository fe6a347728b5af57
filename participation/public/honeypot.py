"""The spam check of the public forms: a honeypot, a field people never see (hidden by the
page's style, out of the tab order, no autocomplete) that a form-filling robot fills in.

django-honeypot would do this, but no release of it installs on this stack (1.2.1 caps
Django below 5.2 and 1.3.0 needs Python 3.12), so this is the same idea in a few lines.
The report, rating and survey forms inherit it; their pages render ``form.website`` in a
``hp-field`` block.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "website"


class HoneypotForm(forms.Form):
    """A form with the honeypot field; ``is_spam`` says whether it was filled in."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        """Whether the honeypot was filled in (read from the raw data: call it before or
        after is_valid)."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())
