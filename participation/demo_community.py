"""Community life for ``manage.py seed_demo`` (order 52): organisations of every kind in
street 1, volunteers of its first two communities (residents, and the demo account
``volunteer1`` and two more who sign in), a season of past activities with attendance and
the points it earned, upcoming open activities, a rewards catalogue and a few redemptions.
Everything goes through the services. Idempotent: a street that has the demo organisations
is left as it is (the demo accounts' passwords still follow ``--password``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from grids.models import Community, Street
from participation.choices import DayPart, OrganisationKind, Skill
from participation.models import Organisation, Resident, Volunteer
from participation.services.attendance import (
    Attendance,
    activity_attendance_record,
)
from participation.services.community import (
    activity_create,
    activity_signup,
    organisation_create,
    volunteer_create,
)
from participation.services.points import (
    points_adjust,
    redemption_create,
    redemption_hand_over,
    reward_create,
)
from personnel.demo import demo_accounts_ensure

ACCOUNTS = (
    ("volunteer1", "志愿者 陈静"),
    ("volunteer2", "志愿者 刘洋"),
    ("volunteer3", "志愿者 黄磊"),
)
ORGANISATIONS = (
    ("红马甲志愿服务队", OrganisationKind.VOLUNTEER_TEAM, "邻里互助、敬老助残、环境整治。"),
    ("夕阳红社会工作服务中心", OrganisationKind.SOCIAL, "承接居家养老和社工服务项目。"),
    ("惠民超市", OrganisationKind.ENTERPRISE, "赞助积分兑换商品。"),
    ("安居物业管理有限公司", OrganisationKind.PROPERTY, "负责辖区三个小区的物业服务。"),
    ("社区居民委员会", OrganisationKind.RESIDENTS_COMMITTEE, "居民自治组织。"),
    ("社区党支部", OrganisationKind.PARTY, "组织党员志愿服务。"),
)
SKILLS = (
    [Skill.FIRST_AID, Skill.MEDICAL],
    [Skill.ELDERLY_CARE],
    [Skill.PATROL, Skill.DRIVING],
    [Skill.CLEANING],
    [Skill.TUTORING, Skill.CULTURE],
    [Skill.REPAIRS],
    [Skill.LEGAL],
)
# (title, kind, days ago, hours, place)
SEASON = (
    ("楼道杂物清理", "cleanup", 84, 3, "3号楼"),
    ("独居老人上门探访", "elderly_care", 77, 2, "各楼栋"),
    ("夜间平安巡逻", "patrol", 70, 2, "小区主干道"),
    ("垃圾分类宣传", "service", 63, 3, "社区广场"),
    ("居民议事会", "meeting", 56, 2, "社区活动室"),
    ("义诊进社区", "service", 49, 4, "社区服务中心"),
    ("绿化带补种", "cleanup", 42, 3, "北门绿地"),
    ("老年人智能手机课堂", "elderly_care", 35, 2, "老年活动室"),
    ("防汛隐患排查", "patrol", 28, 3, "地下车库"),
    ("小广告清理", "cleanup", 21, 2, "沿街商铺"),
    ("敬老院慰问演出", "elderly_care", 14, 3, "敬老院"),
    ("消防安全演练", "other", 7, 2, "社区广场"),
)
UPCOMING = (
    ("周末环境整治", "cleanup", 3, 3, "南门停车场", 12),
    ("助老理发", "elderly_care", 6, 2, "老年活动室", 6),
    ("平安巡逻（夜班）", "patrol", 9, 2, "小区主干道", 8),
    ("青少年课业辅导", "service", 12, 2, "社区图书室", 5),
)
REWARDS = (
    ("保温杯", 60, 20, None),
    ("环保购物袋", 20, 50, None),
    ("粮油礼包", 150, 10, None),
    ("理发券", 40, 30, "community"),
)


def _accounts(ctx: DemoContext) -> dict[str, object]:
    """The demo volunteers' accounts (no role), with ``ctx.password``."""
    return demo_accounts_ensure(ctx, [(name, full, False, False) for name, full in ACCOUNTS])


def _volunteers(keeper, communities: list[Community], accounts: dict) -> list[Volunteer]:
    """Six residents of each community, and the three accounts in the first one."""
    made = []
    for community in communities:
        residents = Resident.objects.filter(community=community, volunteer__isnull=True)
        for n, resident in enumerate(residents.order_by("pk")[:6]):
            made.append(
                volunteer_create(
                    created_by=keeper,
                    resident=resident,
                    skills=SKILLS[n % len(SKILLS)],
                    availability={str(n % 7): [DayPart.MORNING], "5": [DayPart.AFTERNOON]},
                    joined_on=timezone.localdate() - timedelta(days=200 + n * 11),
                )
            )
    for n, (username, _name) in enumerate(ACCOUNTS):
        user = accounts[username]
        if not Volunteer.objects.filter(user=user).exists():
            made.append(
                volunteer_create(
                    created_by=keeper,
                    community=communities[0],
                    user=user,
                    skills=SKILLS[(n + 3) % len(SKILLS)],
                    availability={
                        "5": [DayPart.MORNING, DayPart.AFTERNOON],
                        "6": [DayPart.MORNING],
                    },
                    joined_on=timezone.localdate() - timedelta(days=150),
                )
            )
    return made


def _season(keeper, community: Community, crowd: list[Volunteer], organiser) -> int:
    """The past activities of ``community`` with sign-ups and attendance; returns how many."""
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for index, (title, kind, days_ago, hours, place) in enumerate(SEASON):
        starts = (now - timedelta(days=days_ago)).replace(hour=9)
        activity = activity_create(
            created_by=keeper,
            community=community,
            title=title,
            kind=kind,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            place=place,
            capacity=8,
            organiser=organiser if index % 2 == 0 else None,
        )
        chosen = [crowd[(index + k) % len(crowd)] for k in range(min(5, len(crowd)))]
        signups = [
            activity_signup(
                activity=activity, volunteer=volunteer, by=keeper, at=starts - timedelta(days=3)
            )
            for volunteer in chosen
        ]
        came = [(index + 2 * k) % 7 != 3 for k in range(len(signups))]  # one in seven stays away
        records = [
            Attendance(
                signup.pk, attended=came[k], hours=hours - 0.5 if came[k] and k == 1 else None
            )
            for k, signup in enumerate(signups)
        ]
        activity_attendance_record(
            activity=activity, by=keeper, records=records, at=starts + timedelta(hours=hours + 1)
        )
    return len(SEASON)


def _upcoming(keeper, community: Community, crowd: list[Volunteer], own) -> int:
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for index, (title, kind, in_days, hours, place, capacity) in enumerate(UPCOMING):
        starts = (now + timedelta(days=in_days)).replace(hour=14)
        activity = activity_create(
            created_by=keeper,
            community=community,
            title=title,
            kind=kind,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            place=place,
            capacity=capacity,
            description=_("Volunteers welcome; sign up on the community page."),
        )
        for volunteer in crowd[index : index + 2]:
            activity_signup(activity=activity, volunteer=volunteer, by=keeper)
        if index == 0 and own is not None:
            activity_signup(activity=activity, volunteer=own, by=own.user)
    return len(UPCOMING)


@register("participation: organisations, volunteers, activities and points", order=52)
def seed_community_life(ctx: DemoContext) -> None:
    accounts = _accounts(ctx)
    street = Street.objects.filter(district=ctx.data["district"]).order_by("code").first()
    label = _("demo community life")
    if Organisation.objects.filter(street=street, name=ORGANISATIONS[0][0]).exists():
        ctx.count(label, "unchanged", len(ORGANISATIONS))
        return
    keeper = get_user_model().objects.get(username="street1")
    communities = list(Community.objects.filter(street=street).order_by("code")[:2])
    grids = list(communities[0].grids.order_by("code")[:3])
    teams = [
        organisation_create(
            created_by=keeper,
            street=street,
            name=name,
            kind=kind,
            description=description,
            grids_served=grids,
            contacts=[{"name": f"联系人{n + 1}", "title": "负责人", "phone": f"1350000{n:04d}"}],
        )
        for n, (name, kind, description) in enumerate(ORGANISATIONS)
    ]
    crowd = _volunteers(keeper, communities, accounts)
    own = Volunteer.objects.filter(user=accounts["volunteer1"]).first()
    first = [v for v in crowd if v.community_id == communities[0].pk]
    done = _season(keeper, communities[0], first, teams[0])
    if len(communities) > 1:
        done += _season(keeper, communities[1], [v for v in crowd if v not in first], teams[1])
    done += _upcoming(keeper, communities[0], first, own)
    ctx.progress(label, 1, 3)
    rewards = [
        reward_create(
            created_by=keeper,
            street=street,
            community=communities[0] if where else None,
            name=name,
            cost=cost,
            stock=stock,
        )
        for name, cost, stock, where in REWARDS
    ]
    points_adjust(volunteer=own, amount=50, reason=_("Welcome points"), by=keeper)
    redemptions = [
        redemption_create(reward=rewards[1], volunteer=own, by=own.user),
        redemption_create(reward=rewards[3], volunteer=first[0], by=keeper),
        redemption_create(reward=rewards[0], volunteer=first[1], by=keeper),
    ]
    redemption_hand_over(redemption=redemptions[1], by=keeper)
    ctx.count(label, "created", len(teams) + len(crowd) + done + len(rewards))
    ctx.progress(label, 3, 3)
