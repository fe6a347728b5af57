"""Proposals, ratings and a survey for ``manage.py seed_demo`` (order 54), through the
services:

* proposals of street 1's communities in every state, raised by the demo residents who
  sign in (``resident1``…``resident4``) and supported by the others: waiting, in progress,
  accepted making a case, accepted making an activity, declined with a reason;
* ratings of demo cases from the public closed within the rating window, through their
  rating links, two of them unsatisfied and so reopened;
* one street-wide survey, open, with about 60 responses across the communities.

Idempotent: each part is skipped when its rows exist (proposals and the survey by title in
the street, ratings when a demo case has one).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from grids.models import Community, Grid, Street
from incidents.choices import PUBLIC_SOURCES, Status
from incidents.demo_tickets import DEMO_NUMBER
from incidents.models import Category, Ticket
from incidents.workflow import REOPEN_WINDOW
from participation.models import Organisation, Proposal, Rating, Survey
from participation.services.proposals import proposal_answer, proposal_raise, proposal_support
from participation.services.satisfaction import rating_link_issue, rating_submit
from participation.services.surveys import (
    respondent_key,
    survey_create,
    survey_open,
    survey_respond,
)
from personnel.demo import demo_accounts_ensure

DEMO_SEED = 54
RESIDENTS = (
    ("resident1", "居民 王秀英"),
    ("resident2", "居民 赵磊"),
    ("resident3", "居民 孙丽"),
    ("resident4", "居民 周涛"),
)
# (title, kind, text, community index, author index, supporters)
PROPOSALS = (
    ("小区增设电动车充电桩", "need", "电动车在楼道充电很危险，希望在车棚装充电桩。", 0, 0, 3),
    ("老旧楼道加装扶手", "proposal", "5号楼住了很多老人，上下楼梯不方便。", 0, 1, 2),
    ("3号楼前路面塌陷", "need", "3号楼前的人行道塌了一个坑，晚上看不清。", 0, 2, 3),
    ("组织周末义务清扫", "proposal", "居民自愿参加，清理小区公共区域的卫生死角。", 1, 3, 2),
    ("取消广场舞", "need", "晚上广场舞音响太吵，要求取消。", 1, 0, 1),
    ("为独居老人送午餐", "proposal", "由居委会组织志愿者，每周给独居老人送两次午餐。", 1, 1, 2),
)
SCORES = (5, 2, 4, 1, 5, 4, 3, 5, 4, 4, 5, 5)  # the unsatisfied early: few may be closed
COMMENTS = {
    5: ["处理很及时，谢谢！", "网格员态度很好。", ""],
    4: ["基本满意。", "处理得不错，就是慢了点。", ""],
    3: ["一般，过了好几天才来。", ""],
    2: ["问题没有彻底解决，垃圾又堆起来了。"],
    1: ["根本没人来处理，就直接结案了。"],
}
SURVEY_TITLE = "2026年社区满意度调查"
SURVEY_QUESTIONS = [
    {"text": "您对社区环境卫生的满意度", "kind": "rating"},
    {"text": "您对网格员服务的满意度", "kind": "rating"},
    {"text": "夜间照明情况", "kind": "choice", "choices": ["好", "一般", "差"]},
    {
        "text": "您最希望社区优先解决的问题",
        "kind": "choice",
        "choices": ["停车难", "环境卫生", "噪音", "治安", "其他"],
    },
    {"text": "其他意见和建议", "kind": "text", "required": False},
]
SURVEY_RESPONSES = 60
SUGGESTIONS = ("多安排几次垃圾清运。", "希望增加路灯。", "停车位太少了。", "感谢网格员！")


def _residents(ctx: DemoContext) -> list:
    """The demo residents who sign in (no role), with ``ctx.password``."""
    found = demo_accounts_ensure(ctx, [(name, full, False, False) for name, full in RESIDENTS])
    return [found[username] for username, _name in RESIDENTS]


def _keeper(street: Street):
    user_model = get_user_model()
    return user_model.objects.filter(username="street1").first() or user_model.objects.get(
        username="admin"
    )


def _seed_proposals(ctx, street, communities, residents, keeper) -> None:
    label = _("demo proposals")
    if Proposal.objects.filter(street=street, title__in=[p[0] for p in PROPOSALS]).exists():
        ctx.count(label, "unchanged", len(PROPOSALS))
        return
    made = []
    for title, kind, text, community_at, author_at, supporters in PROPOSALS:
        community = communities[community_at % len(communities)]
        grid = Grid.objects.filter(community=community).order_by("code").first()
        proposal = proposal_raise(
            author=residents[author_at],
            community=community,
            kind=kind,
            title=title,
            body=text,
            grid=grid,
        )
        others = [user for user in residents if user != residents[author_at]]
        for user in others[:supporters]:
            proposal_support(proposal=proposal, user=user)
        made.append(proposal)
        ctx.count(label, "created")
    _waiting, in_progress, to_case, to_activity, declined, _also_waiting = made
    proposal_answer(
        proposal=in_progress,
        answered_by=keeper,
        status="in_progress",
        text="已报街道，正在请施工单位询价。",
    )
    category = (
        Category.objects.filter(active=True, parent__isnull=False, kind="event")
        .order_by("code")
        .first()
    )
    if category is not None:
        proposal_answer(
            proposal=to_case,
            answered_by=keeper,
            status="accepted",
            text="已立案，派网格员和市政部门处理。",
            category=category,
        )
    saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
    starts = timezone.make_aware(datetime.combine(saturday, time(9)))
    proposal_answer(
        proposal=to_activity,
        answered_by=keeper,
        status="accepted",
        text="好主意！本周六上午组织志愿者清扫，欢迎报名。",
        activity={
            "title": "周末义务清扫",
            "kind": "cleanup",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "place": "社区广场集合",
            "capacity": 20,
        },
    )
    proposal_answer(
        proposal=declined,
        answered_by=keeper,
        status="declined",
        text="广场舞是居民正当的健身活动，不宜取消；已与舞队约定晚上九点前结束、音量调低。",
    )
    committee = Organisation.objects.filter(street=street, kind="residents_committee").first()
    if committee is not None:
        proposal_raise(
            author=keeper,
            community=communities[0],
            kind="need",
            title="招募助老志愿者",
            body="居委会需要10名志愿者，每周陪独居老人聊天、帮忙买菜。",
            organisation=committee,
        )
        ctx.count(label, "created")


def _seed_ratings(ctx, street) -> None:
    label = _("demo ratings")
    demo = Ticket.objects.filter(number__regex=DEMO_NUMBER)
    if Rating.objects.filter(ticket__in=demo).exists():
        ctx.count(label, "unchanged", Rating.objects.filter(ticket__in=demo).count())
        return
    now = timezone.now()
    window = timedelta(days=settings.RATING_WINDOW_DAYS)
    # The most recently closed first: the unsatisfied ones then fall within the reopen window.
    recent = demo.filter(
        source__in=PUBLIC_SOURCES,
        status=Status.CLOSED,
        closed_at__gt=now - min(window, REOPEN_WINDOW) + timedelta(hours=1),
    ).order_by("-closed_at")
    # Street 1's first (its demo accounts read them), the most recently closed first: the
    # unsatisfied ones then fall within the reopen window.
    closed = list(recent.filter(street=street)[: len(SCORES)])
    closed += list(recent.exclude(street=street)[: len(SCORES) - len(closed)])
    if not closed:
        ctx.say(_("No demo case from the public closed lately: no demo ratings."))
        return
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not security
    for ticket, score in zip(closed, SCORES, strict=False):
        _link, token = rating_link_issue(ticket=ticket)
        rating_submit(token=token, score=score, comment=rng.choice(COMMENTS[score]))
        ctx.count(label, "created")


def _answers(rng: random.Random, survey: Survey, lean: float) -> dict[int, object]:
    questions = list(survey.questions.order_by("order"))
    answers: dict[int, object] = {}
    for question in questions:
        if question.kind == "rating":
            answers[question.pk] = max(1, min(5, round(rng.gauss(3.6 + lean, 0.9))))
        elif question.kind == "choice":
            weights = [3 + lean, 2, 1 - lean / 2][: len(question.choices)]
            weights += [1] * (len(question.choices) - len(weights))
            answers[question.pk] = rng.choices(question.choices, weights=weights)[0]
        elif rng.random() < 0.25:
            answers[question.pk] = rng.choice(SUGGESTIONS)
    return answers


def _seed_survey(ctx, street, communities, keeper) -> None:
    label = _("demo survey responses")
    if Survey.objects.filter(street=street, title=SURVEY_TITLE).exists():
        ctx.count(_("demo surveys"), "unchanged")
        return
    today = timezone.localdate()
    survey = survey_create(
        created_by=keeper,
        street=street,
        title=SURVEY_TITLE,
        description="请花两分钟告诉我们您对社区工作的看法，结果将按社区公布。",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        questions=SURVEY_QUESTIONS,
    )
    survey = survey_open(survey=survey, by=keeper)
    ctx.count(_("demo surveys"), "created")
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not security
    leans = {community.pk: rng.uniform(-0.8, 0.8) for community in communities}
    for n in range(SURVEY_RESPONSES):
        community = communities[n % len(communities)]
        survey_respond(
            survey=survey,
            respondent_key=respondent_key(survey=survey, session_key=f"demo-respondent-{n}"),
            answers=_answers(rng, survey, leans[community.pk]),
            community=community,
        )
        ctx.count(label, "created")


@register("participation: proposals, ratings and a survey", order=54)
def seed_voice(ctx: DemoContext) -> None:
    """Street 1's proposals in every state, ratings of its recently closed public demo
    cases, and an open survey with responses."""
    street = Street.objects.filter(district=ctx.data["district"]).order_by("code").first()
    communities = list(Community.objects.filter(street=street).order_by("code"))
    if street is None or not communities:
        return
    residents = _residents(ctx)
    keeper = _keeper(street)
    _seed_proposals(ctx, street, communities, residents, keeper)
    _seed_ratings(ctx, street)
    _seed_survey(ctx, street, communities, keeper)
    ctx.progress(_("demo proposals, ratings and survey"), 1, 1)
