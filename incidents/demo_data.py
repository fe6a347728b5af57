"""The demo case catalogue: event and component categories with their time limits.

Component categories mirror the shipped component classes (grids.component_catalogue):
``C01`` is major class 01, ``C0101`` its minor class 01. Event categories follow the common
event classes of city rules. Limits follow published city rules (see DOMAIN.md): urgent
cases accepted and dispatched within 10 minutes, others within 30 working minutes, checks
within an hour; handling limits per category. Emergencies run on the clock.
"""

from __future__ import annotations

from typing import NamedTuple

from grids.component_catalogue import COMPONENT_TYPES
from incidents.choices import CategoryKind, LimitUnit, Priority, Stage

Limit = tuple[int, str]


def minutes(amount: int) -> Limit:
    return amount, LimitUnit.MINUTES


def hours(amount: int) -> Limit:
    return amount, LimitUnit.HOURS


def working_minutes(amount: int) -> Limit:
    return amount, LimitUnit.WORKING_MINUTES


def working_hours(amount: int) -> Limit:
    return amount, LimitUnit.WORKING_HOURS


def working_days(amount: int) -> Limit:
    return amount, LimitUnit.WORKING_DAYS


# The stages every category shares; the handling limit is the category's own.
COMMON_LIMITS: dict[str, dict[str, Limit]] = {
    Priority.EMERGENCY: {
        Stage.ACCEPT: minutes(5),
        Stage.VERIFY: minutes(15),
        Stage.DISPATCH: minutes(5),
        Stage.CHECK: minutes(30),
    },
    Priority.URGENT: {
        Stage.ACCEPT: minutes(10),
        Stage.VERIFY: minutes(30),
        Stage.DISPATCH: minutes(10),
        Stage.CHECK: hours(1),
    },
    Priority.NORMAL: {
        Stage.ACCEPT: working_minutes(30),
        Stage.VERIFY: working_hours(1),
        Stage.DISPATCH: working_minutes(30),
        Stage.CHECK: working_hours(1),
    },
}


class Handling(NamedTuple):
    """The handling limit at each priority."""

    emergency: Limit
    urgent: Limit
    normal: Limit


class Minor(NamedTuple):
    code: str
    name: str
    name_en: str
    priority: str
    department: str | None  # department code; None: the grid and community handle it
    filing: str
    closing: str
    handling: Handling


class Major(NamedTuple):
    code: str
    kind: str
    name: str
    name_en: str
    minors: list[Minor]


def limits(minor: Minor) -> list[tuple[str, str, Limit]]:
    """(priority, stage, limit) for every priority and stage of ``minor``: 15 rows."""
    rows = []
    for priority in Priority.values:
        handling = getattr(minor.handling, priority)
        for stage in Stage.values:
            limit = handling if stage == Stage.HANDLE else COMMON_LIMITS[priority][stage]
            rows.append((priority, stage, limit))
    return rows


# --------------------------------------------------------------------------------- components

_URGENT, _NORMAL, _EMERGENCY = Priority.URGENT, Priority.NORMAL, Priority.EMERGENCY

# A missing cover is a hole in the road: two hours on the clock.
_COVER_FILING = "井盖缺失、破损、移位或不平稳，影响车辆和行人通行安全。"
_COVER_CLOSING = "井盖已补齐或更换，安装平稳、与路面齐平，现场无安全隐患。"
_COVER_HANDLING = Handling(hours(1), hours(2), working_days(1))

# class code → (default priority, lead department, filing criteria, closing criteria, handling)
COMPONENT_RULES: dict[str, tuple[str, str, str, str, Handling]] = {
    "0101": (_URGENT, "WY-SW", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0102": (_URGENT, "WY-SW", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0103": (_URGENT, "WY-SW", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0104": (
        _URGENT,
        "WY-SW",
        "雨水箅子缺失、破损或堵塞，影响排水或通行安全。",
        "雨水箅子已补齐、更换或疏通，排水通畅。",
        _COVER_HANDLING,
    ),
    "0105": (_URGENT, "WY-GD", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0106": (_URGENT, "WY-CG", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0107": (_URGENT, "WY-DX", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0110": (_URGENT, "WY-ZJ", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0111": (_URGENT, "WY-RQ", _COVER_FILING, _COVER_CLOSING, _COVER_HANDLING),
    "0116": (
        _NORMAL,
        "WY-SW",
        "消防栓损坏、漏水、缺件或被圈占遮挡，影响正常使用。",
        "消防栓已修复，出水正常，周边无遮挡。",
        Handling(hours(1), working_hours(4), working_days(2)),
    ),
    # Three dark lamps in a row: one working day.
    "0118": (
        _NORMAL,
        "WY-CG",
        "路灯灯杆倾斜破损、灯具缺失，或连续三盏及以上路灯不亮。",
        "路灯已修复并正常亮灯，灯杆和灯具完好。",
        Handling(hours(2), working_hours(4), working_days(1)),
    ),
    "0119": (
        _URGENT,
        "WY-GD",
        "变压器（箱）门锁损坏、箱体破损、线缆外露或有异响异味。",
        "箱体已修复封闭，无外露带电部位，运行正常。",
        Handling(hours(1), hours(2), working_days(1)),
    ),
    "0201": (
        _NORMAL,
        "WY-CG",
        "停车场设施损坏、标线不清或出入口堵塞，影响正常停车。",
        "停车场设施已修复，标线清晰，进出通畅。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0203": (
        _NORMAL,
        "WY-CG",
        "公交站亭顶棚、站牌、座椅或玻璃破损，影响候车安全。",
        "站亭破损部件已修复或更换，整洁完好。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0206": (
        _URGENT,
        "WY-GA",
        "交通信号灯不亮、显示错误、倒伏或被遮挡。",
        "信号灯已修复，显示正常、无遮挡。",
        Handling(minutes(30), hours(2), working_days(1)),
    ),
    "0207": (
        _NORMAL,
        "WY-GA",
        "交通标志牌缺失、倒伏、破损或被遮挡，影响识别。",
        "标志牌已补齐或扶正修复，清晰可辨。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0209": (
        _NORMAL,
        "WY-CG",
        "道路护栏缺失、倒伏、断裂或严重变形。",
        "护栏已补齐或修复，安装牢固、线形顺直。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0214": (
        _URGENT,
        "WY-ZJ",
        "人行天桥桥面、栏杆、台阶或照明设施损坏，影响通行安全。",
        "天桥破损部位已修复，通行安全。",
        Handling(hours(1), working_hours(4), working_days(5)),
    ),
    "0301": (
        _NORMAL,
        "WY-CG",
        "公共厕所设施损坏无法使用，或保洁不到位、异味明显。",
        "设施已修复，保洁到位，厕所正常开放。",
        Handling(hours(1), working_hours(4), working_days(1)),
    ),
    "0304": (
        _NORMAL,
        "WY-CG",
        "垃圾箱破损、缺失、倾倒或垃圾满溢。",
        "垃圾箱已修复、补齐或清运，周边整洁。",
        Handling(hours(1), working_hours(2), working_hours(4)),
    ),
    "0305": (
        _NORMAL,
        "WY-CG",
        "户外广告牌匾破损、松动或存在坠落隐患。",
        "牌匾已加固、修复或拆除，无坠落隐患。",
        Handling(hours(1), working_hours(4), working_days(3)),
    ),
    "0308": (
        _NORMAL,
        "WY-CG",
        "公共座椅破损、缺失或松动，影响使用安全。",
        "座椅已修复或更换，安装牢固。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0310": (
        _NORMAL,
        "WY-CG",
        "垃圾收集点设施破损、垃圾满溢或未按时清运。",
        "垃圾已清运，收集点设施完好、地面整洁。",
        Handling(hours(1), working_hours(2), working_hours(4)),
    ),
    "0401": (
        _URGENT,
        "WY-YL",
        "古树名木出现枯枝、倾斜、病虫害或保护设施损坏。",
        "已采取修剪、支撑、防治或修复保护设施等措施。",
        Handling(hours(1), working_hours(4), working_days(3)),
    ),
    "0402": (
        _NORMAL,
        "WY-YL",
        "行道树倒伏、枯死、缺株或枝干影响通行安全。",
        "已扶正、修剪、清理或补植，不再影响通行安全。",
        Handling(hours(1), working_hours(4), working_days(3)),
    ),
    "0404": (
        _NORMAL,
        "WY-YL",
        "绿地被毁坏、占用、踩踏裸露或堆放杂物。",
        "绿地已恢复，杂物已清理。",
        Handling(hours(2), working_days(1), working_days(5)),
    ),
    "0407": (
        _NORMAL,
        "WY-YL",
        "城市雕塑破损、污损或存在倾倒隐患。",
        "雕塑已修复或清洁，基座稳固。",
        Handling(hours(2), working_days(2), working_days(10)),
    ),
    "0501": (
        _NORMAL,
        "WY-CG",
        "宣传栏破损、倾斜或内容过期破旧。",
        "宣传栏已修复或更新，整洁牢固。",
        Handling(hours(2), working_days(1), working_days(3)),
    ),
    "0503": (
        _URGENT,
        "WY-ZJ",
        "房屋墙体开裂、外立面脱落，或存在倒塌、坠落隐患。",
        "已完成排险加固或设置警示隔离，隐患已消除。",
        Handling(hours(1), working_hours(4), working_days(5)),
    ),
    "0601": (
        _URGENT,
        "WY-GA",
        "重大危险源安全设施缺失损坏，或出现泄漏、超量储存等异常。",
        "异常已处置，安全设施完好，经检查无隐患。",
        Handling(minutes(30), hours(2), working_days(1)),
    ),
    "0602": (
        _NORMAL,
        "WY-ZJ",
        "工地围挡破损缺失、出入口脏乱或安全防护设施不到位。",
        "围挡和防护设施已整改到位，出入口整洁。",
        Handling(hours(1), working_hours(4), working_days(2)),
    ),
    "0603": (
        _NORMAL,
        "WY-SW",
        "河道护栏、救生设施或警示标志缺失、损坏。",
        "设施已补齐或修复，警示标志清晰。",
        Handling(hours(1), working_hours(4), working_days(2)),
    ),
}

# CJ/T 214 major classes of components.
COMPONENT_MAJORS: list[tuple[str, str, str]] = [
    ("01", "公用设施", "Public utilities"),
    ("02", "道路交通", "Roads and traffic"),
    ("03", "市容环境", "City appearance and environment"),
    ("04", "园林绿化", "Landscaping and greenery"),
    ("05", "房屋土地", "Buildings and land"),
    ("06", "其他设施", "Other facilities"),
]


def _component_majors() -> list[Major]:
    majors = []
    for major_code, name, name_en in COMPONENT_MAJORS:
        minors = []
        for major, minor, type_name, type_name_en in COMPONENT_TYPES:
            if major != major_code:
                continue
            priority, department, filing, closing, handling = COMPONENT_RULES[major + minor]
            minors.append(
                Minor(
                    code=f"C{major}{minor}",
                    name=type_name,
                    name_en=type_name_en[:1].upper() + type_name_en[1:],
                    priority=priority,
                    department=department,
                    filing=filing,
                    closing=closing,
                    handling=handling,
                )
            )
        majors.append(Major(f"C{major_code}", CategoryKind.COMPONENT, name, name_en, minors))
    return majors


# ------------------------------------------------------------------------------------- events

EVENT_MAJORS: list[Major] = [
    Major(
        "E01",
        CategoryKind.EVENT,
        "市容环境",
        "City appearance",
        [
            Minor(
                "E0101",
                "暴露垃圾",
                "Exposed rubbish",
                _NORMAL,
                "WY-CG",
                "道路、绿地或公共场所有成堆、散落的垃圾杂物未及时清运。",
                "垃圾已清运干净，现场无残留、无异味。",
                Handling(hours(1), working_hours(2), working_hours(4)),
            ),
            Minor(
                "E0102",
                "道路不洁",
                "Street not clean",
                _NORMAL,
                "WY-CG",
                "路面有明显积尘、污渍、油渍或散落物，保洁不到位。",
                "路面已清扫冲洗，干净整洁。",
                Handling(minutes(30), working_hours(1), working_hours(2)),
            ),
            Minor(
                "E0103",
                "非法小广告",
                "Illegal small advertisements",
                _NORMAL,
                "WY-CG",
                "建筑物、公共设施或地面上有乱贴乱画、乱涂写的小广告。",
                "小广告已清除，墙面和设施恢复原貌。",
                Handling(hours(1), working_hours(4), working_days(1)),
            ),
            Minor(
                "E0104",
                "露天焚烧",
                "Open burning",
                _URGENT,
                "WY-HB",
                "露天焚烧垃圾、落叶、秸秆等，产生明显烟尘。",
                "明火已扑灭，焚烧残留已清理。",
                Handling(minutes(30), hours(1), working_hours(4)),
            ),
        ],
    ),
    Major(
        "E02",
        CategoryKind.EVENT,
        "街面秩序",
        "Street order",
        [
            Minor(
                "E0201",
                "违章停车",
                "Illegal parking",
                _NORMAL,
                "WY-GA",
                "机动车或非机动车在禁停区域、人行道或消防通道违规停放。",
                "违停车辆已驶离或已依法处理，通道恢复畅通。",
                Handling(minutes(30), hours(1), working_hours(2)),
            ),
            Minor(
                "E0202",
                "无照经营游商",
                "Unlicensed street vendors",
                _NORMAL,
                "WY-CG",
                "流动摊贩在道路、广场等公共场所无照经营。",
                "游商已劝离，现场恢复秩序。",
                Handling(minutes(30), hours(1), working_hours(4)),
            ),
            Minor(
                "E0203",
                "占道经营",
                "Occupying the road",
                _NORMAL,
                "WY-CG",
                "商户或摊点占用道路、人行道等公共场所经营或堆放物品。",
                "占道物品已清理，道路恢复通行。",
                Handling(hours(1), working_hours(2), working_days(1)),
            ),
        ],
    ),
    Major(
        "E03",
        CategoryKind.EVENT,
        "施工管理",
        "Construction",
        [
            # Urgent: works in progress, stopped within 4 working hours; normal: a finished
            # illegal structure, demolished within 20 working days.
            Minor(
                "E0301",
                "违法建设",
                "Illegal building",
                _URGENT,
                "WY-CG",
                "未取得规划许可或未按许可内容擅自建设建筑物、构筑物。",
                "在建的已责令停工，已建成的已依法拆除或整改到位。",
                Handling(hours(2), working_hours(4), working_days(20)),
            ),
            Minor(
                "E0302",
                "施工噪声",
                "Construction noise",
                _NORMAL,
                "WY-HB",
                "施工作业噪声超标，或在夜间禁止时段施工扰民。",
                "违规施工已停止或已采取降噪措施，噪声扰民消除。",
                Handling(hours(1), working_hours(2), working_days(1)),
            ),
            Minor(
                "E0303",
                "施工扬尘",
                "Construction dust",
                _NORMAL,
                "WY-ZJ",
                "施工工地未落实覆盖、洒水、冲洗等措施，扬尘明显。",
                "工地已落实防尘措施，现场无明显扬尘。",
                Handling(hours(1), working_hours(2), working_days(1)),
            ),
        ],
    ),
    Major(
        "E04",
        CategoryKind.EVENT,
        "突发事件",
        "Emergencies",
        [
            Minor(
                "E0401",
                "安全隐患",
                "Safety hazard",
                _URGENT,
                "WY-CG",
                "公共场所存在可能危及人身财产安全的隐患，如设施松动、电线裸露、坑洞无警示。",
                "隐患已排除，或已设置警示隔离并移交责任单位处置。",
                Handling(minutes(30), hours(2), working_days(1)),
            ),
            Minor(
                "E0402",
                "路面塌陷",
                "Road collapse",
                _EMERGENCY,
                "WY-ZJ",
                "路面出现塌陷、空洞或大面积破损，影响通行安全。",
                "塌陷处已围挡警示并修复，路面恢复通行。",
                Handling(minutes(30), hours(1), working_hours(4)),
            ),
            Minor(
                "E0403",
                "燃气泄漏",
                "Gas leak",
                _EMERGENCY,
                "WY-RQ",
                "闻到燃气异味，或发现燃气管道、设施泄漏。",
                "泄漏点已关断修复，经检测无燃气泄漏。",
                Handling(minutes(30), hours(1), hours(2)),
            ),
            Minor(
                "E0404",
                "供水管道爆裂",
                "Burst water main",
                _EMERGENCY,
                "WY-SW",
                "供水管道爆裂、大量漏水或造成路面积水。",
                "管道已抢修，供水恢复，现场积水已清理。",
                Handling(hours(1), hours(2), working_hours(4)),
            ),
        ],
    ),
    Major(
        "E05",
        CategoryKind.EVENT,
        "社会管理",
        "Social affairs",
        [
            # Mediation is the community's and the grid's own work (人民调解): no department.
            Minor(
                "E0501",
                "邻里纠纷",
                "Neighbour dispute",
                _NORMAL,
                None,
                "居民之间因噪声、漏水、占用公共空间等引发矛盾纠纷。",
                "经调解双方达成一致，或已引导通过法律途径解决。",
                Handling(hours(1), working_hours(4), working_days(3)),
            ),
            Minor(
                "E0502",
                "社会生活噪声",
                "Noise nuisance",
                _NORMAL,
                "WY-GA",
                "商业经营、文化娱乐、广场活动或住宅装修等产生噪声扰民。",
                "噪声源已停止或整改，扰民情况消除。",
                Handling(minutes(30), hours(1), working_hours(4)),
            ),
            Minor(
                "E0503",
                "困难群众帮扶",
                "Help for a vulnerable resident",
                _URGENT,
                "WY-MZ",
                "独居老人、残疾人或困难家庭需要生活救助或上门帮扶。",
                "已上门走访并落实救助或帮扶措施，当事人知情认可。",
                Handling(hours(1), working_hours(4), working_days(3)),
            ),
            Minor(
                "E0504",
                "流浪乞讨人员",
                "Homeless person needing help",
                _NORMAL,
                "WY-MZ",
                "公共场所发现流浪乞讨人员需要救助。",
                "已护送至救助管理站或联系家属接回。",
                Handling(hours(1), working_hours(2), working_days(1)),
            ),
        ],
    ),
]


def catalogue() -> list[Major]:
    """The whole demo catalogue: component classes first, then event classes."""
    return [*_component_majors(), *EVENT_MAJORS]
