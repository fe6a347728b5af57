"""The demo city's people: departments, and name parts for generated grid workers.

Every name and phone number here is made up; phone numbers use the 139 0000 block.
"""

from personnel.choices import DepartmentKind

# (code, kind, Chinese name, English name, contact person)
DEPARTMENTS: list[tuple[str, str, str, str, str]] = [
    ("WY-CG", DepartmentKind.URBAN_MANAGEMENT, "县城市管理局", "Urban Management Bureau", "周强"),
    ("WY-GA", DepartmentKind.PUBLIC_SECURITY, "县公安局", "Public Security Bureau", "吴刚"),
    ("WY-SJ", DepartmentKind.MARKET_SUPERVISION, "县市场监督管理局", "Market Supervision", "郑丽"),
    (
        "WY-ZJ",
        DepartmentKind.HOUSING_CONSTRUCTION,
        "县住房和城乡建设局",
        "Housing and Construction",
        "冯军",
    ),
    (
        "WY-HB",
        DepartmentKind.ECOLOGY_ENVIRONMENT,
        "市生态环境局汶阳分局",
        "Ecology and Environment",
        "陈静",
    ),
    ("WY-MZ", DepartmentKind.CIVIL_AFFAIRS, "县民政局", "Civil Affairs Bureau", "褚红"),
    ("WY-SW", DepartmentKind.WATER, "县水务集团", "Water Supply Group", "卫东"),
    ("WY-GD", DepartmentKind.POWER, "国网汶阳县供电公司", "Power Supply Company", "蒋涛"),
    ("WY-RQ", DepartmentKind.GAS, "汶阳县燃气公司", "Gas Company", "沈洁"),
    ("WY-DX", DepartmentKind.TELECOM, "汶阳县电信分公司", "Telecom Branch", "韩梅"),
    (
        "WY-YL",
        DepartmentKind.LANDSCAPING,
        "县园林绿化服务中心",
        "Landscaping Service Centre",
        "杨柳",
    ),
]
URBAN_MANAGEMENT_CODE = "WY-CG"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "建国",
    "玉兰",
    "海燕",
    "晓东",
    "志强",
    "丹",
    "萍",
    "鹏",
    "辉",
    "玲",
    "斌",
    "宇",
    "浩",
    "凯",
    "秀兰",
]

EXTRA_WORKERS = 300  # besides worker1 and worker2: a primary on every grid, the rest backups
