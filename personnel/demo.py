"""Demo accounts for ``manage.py seed_demo`` (roles arrive with the personnel issue)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register

DEMO_ACCOUNTS: list[tuple[str, str, bool, bool]] = [
    ("admin", "系统管理员", True, True),
    ("street1", "城关街道指挥中心 赵敏", True, False),
    ("supervisor1", "监督员 孙浩", True, False),
    ("worker1", "网格员 张伟", False, False),
    ("worker2", "网格员 李娜", False, False),
    ("dept1", "县住建局 周强", False, False),
    ("finance1", "财务 王芳", True, False),
]


@register("accounts: demo users", order=20)
def seed_accounts(ctx: DemoContext) -> None:
    """The seven demo accounts, all with ``ctx.password``.

    Password hashing is slow on purpose, so the hash is computed once and shared; a second
    run checks one hash and leaves the accounts alone when the password still matches.
    """
    user_model = get_user_model()
    usernames = [row[0] for row in DEMO_ACCOUNTS]
    existing = {u.username: u for u in user_model.objects.filter(username__in=usernames)}
    hashes = {u.password for u in existing.values()}
    if len(existing) == len(usernames) and len(hashes) == 1:
        encoded = hashes.pop()
        if not check_password(ctx.password, encoded):
            encoded = make_password(ctx.password)
    else:
        encoded = make_password(ctx.password)
    for username, full_name, staff, superuser in DEMO_ACCOUNTS:
        values = {
            "full_name": full_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "is_active": True,
            "password": encoded,
        }
        user = existing.get(username)
        if user is None:
            user_model.objects.create(username=username, **values)
            ctx.count(_("accounts"), "created")
        elif any(getattr(user, name) != value for name, value in values.items()):
            user_model.objects.filter(pk=user.pk).update(**values)
            ctx.count(_("accounts"), "updated")
        else:
            ctx.count(_("accounts"), "unchanged")
    ctx.progress(_("accounts"), len(DEMO_ACCOUNTS), len(DEMO_ACCOUNTS))
    ctx.data["accounts"] = usernames
