"""The public side of ``manage.py seed_demo``: the public service catalogue (the event
categories residents can sensibly report, two of them with Open311 questions, one a list),
an Open311 client key, and public reports in every state in street 1 (named and Open311
ones filed as cases, an anonymous one awaiting moderation, one rejected), through the same
services the pages use. The key's secret is thrown away: nothing prints or stores it (make
a key of your own with ``manage.py create_open311_key``). Idempotent: services are found by
category, the key by name, reports by their words.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from grids.models import Grid, Street
from incidents.models import Category
from participation.choices import AttributeType, ReportChannel
from participation.models import Open311Key, PublicReport, PublicService, ServiceAttribute
from participation.services.open311 import open311_key_create
from participation.services.public_reports import (
    public_report_reject,
    public_report_submit,
)

DEMO_CLIENT = "Demo civic app"
# (category code, keywords, public description); gas leaks are left out on purpose: an
# emergency is a call to 119, not a web form.
SERVICES = [
    ("E0101", "垃圾,垃圾堆,rubbish", "垃圾堆放、垃圾桶满溢或散落的垃圾。"),
    ("E0102", "脏,路面,清扫", "路面、人行道有污物或长时间未清扫。"),
    ("E0103", "小广告,张贴,涂写", "墙面、电线杆上的非法小广告和涂写。"),
    ("E0104", "焚烧,烟,烧垃圾", "露天焚烧垃圾、落叶或其他物品。"),
    ("E0201", "停车,占道,车", "占用人行道、消防通道等处的违章停车。"),
    ("E0202", "摊贩,游商", "无照经营的流动摊贩。"),
    ("E0203", "占道,店外经营", "店铺占用道路、人行道经营。"),
    ("E0301", "违建,搭建", "私搭乱建、违法建设。"),
    ("E0302", "噪声,施工,夜间", "施工噪声，尤其是夜间施工。"),
    ("E0303", "扬尘,工地,灰", "工地扬尘、渣土未覆盖。"),
    ("E0401", "隐患,危险", "可能伤人的安全隐患：松动的井盖、倾斜的广告牌等。"),
    ("E0402", "塌陷,坑,路面", "路面塌陷或大坑。"),
    ("E0404", "爆管,漏水,水管", "供水管道爆裂、路面冒水。"),
    ("E0502", "噪声,扰民", "娱乐、商铺等社会生活噪声扰民。"),
]
QUESTIONS = {
    "E0101": [
        {
            "code": "rubbish_kind",
            "datatype": AttributeType.SINGLE,
            "required": True,
            "description": "什么垃圾？",
            "order": 1,
            "values": [
                {"key": "household", "name": "生活垃圾"},
                {"key": "construction", "name": "建筑垃圾"},
                {"key": "bulky", "name": "大件垃圾（家具、电器）"},
            ],
        },
    ],
    "E0201": [
        {
            "code": "plate",
            "datatype": AttributeType.STRING,
            "required": False,
            "description": "车牌号（如看得清）",
            "datatype_description": "例如 鲁H12345",
            "order": 1,
        },
    ],
}


def _services(ctx: DemoContext) -> dict[str, PublicService]:
    label = _("public services")
    categories = Category.objects.in_bulk([code for code, *_rest in SERVICES], field_name="code")
    services = {}
    for order, (code, keywords, description) in enumerate(SERVICES, 1):
        category = categories.get(code)
        if category is None:
            continue
        service, created = PublicService.objects.get_or_create(
            category=category,
            defaults={"keywords": keywords, "description": description, "order": order},
        )
        ctx.count(label, "created" if created else "unchanged")
        for question in QUESTIONS.get(code, []):
            ServiceAttribute.objects.get_or_create(
                service=service, code=question["code"], defaults=question
            )
        services[code] = service
    return services


def _key(ctx: DemoContext) -> Open311Key:
    key = Open311Key.objects.filter(name=DEMO_CLIENT).first()
    if key is not None:
        ctx.count(_("Open311 keys"), "unchanged")
        return key
    key, _secret = open311_key_create(name=DEMO_CLIENT)  # the secret is dropped on purpose
    ctx.count(_("Open311 keys"), "created")
    return key


@register("participation: public services and reports", order=56)
def seed_public(ctx: DemoContext) -> None:
    """Public services with questions, an Open311 key and public reports in every state."""
    services = _services(ctx)
    key = _key(ctx)
    street = Street.objects.filter(district=ctx.data["district"]).order_by("code").first()
    grids = list(Grid.objects.filter(street=street, active=True).order_by("code")[:4])
    if len(grids) < 4 or not {"E0101", "E0201", "E0302", "E0103"} <= set(services):
        return
    moderator = get_user_model().objects.filter(username="street1").first()
    reports = [
        (
            "3号楼东侧堆了很多装修垃圾，已经好几天了。",
            services["E0101"],
            grids[0],
            {"anonymous": False, "name": "刘女士", "phone": "13906351234"},
            {"rubbish_kind": "construction"},
            ReportChannel.WEB,
        ),
        (
            "小区门口人行道上长期停着一辆白色面包车。",
            services["E0201"],
            grids[1],
            {"anonymous": False, "name": "Alex Chen", "email": "alex@example.org"},
            {"plate": "鲁H5K321"},
            ReportChannel.OPEN311,
        ),
        (
            "晚上十一点以后工地还在打桩，吵得睡不着。",
            services["E0302"],
            grids[2],
            {"anonymous": True},
            {},
            ReportChannel.WEB,
        ),
        (
            "测试测试",
            services["E0103"],
            grids[3],
            {"anonymous": True},
            {},
            ReportChannel.WEB,
        ),
    ]
    label = _("public reports")
    for description, service, grid, contact, answers, channel in reports:
        if PublicReport.objects.filter(description=description).exists():
            ctx.count(label, "unchanged")
            continue
        report, _token = public_report_submit(
            channel=channel,
            service=service,
            description=description,
            lat=grid.centroid_lat,
            lng=grid.centroid_lng,
            attributes=answers,
            api_key=key if channel == ReportChannel.OPEN311 else None,
            **contact,
        )
        if description == "测试测试" and moderator is not None:
            public_report_reject(report=report, by=moderator, note="内容不是具体问题，测试提交。")
        ctx.count(label, "created")
