"""Browser sign-in and sign-out (under ``/accounts/``).

Django's own views do the work; django-axes, first among the authentication backends, counts
the failures, and its middleware answers a locked-out username and address with
``registration/locked_out.html``.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    # Django's LogoutView signs out on POST only (the header's sign-out button is a form).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
