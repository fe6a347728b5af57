from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in to GridGov: staff, grid workers, department handlers.

    Roles and scopes arrive with the personnel issue; the model exists from the first
    migration so that every later foreign key points at it.
    """

    full_name = models.CharField(_("full name"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username
