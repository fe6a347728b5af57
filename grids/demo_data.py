"""The demo city's fixed data: names, layout of streets and communities, component mix."""

from grids.choices import CommunityKind, ComponentState

DISTRICT_CODE = "371523"
DISTRICT_NAME = ("汶阳县", "Wenyang County (demo)")
CENTRE_LNG, CENTRE_LAT = 116.10, 35.80
CELL_LNG = 0.0025  # ≈ 226 m east-west at 35.8° N
CELL_LAT = 0.0020  # ≈ 222 m north-south: a management grid of about 5 ha
JITTER = 0.16  # of a cell, applied to every lattice vertex (shared, so edges stay shared)
COLUMNS, ROWS = 13, 18  # the district is a lattice of 13 × 18 cells

# Each street: (number, zh, en, first column, first row, community column widths, row heights,
# communities as (number, zh, en, kind)). Communities fill the street's block row by row.
STREETS: list[tuple[int, str, str, int, int, list[int], list[int], list[tuple]]] = [
    (
        1,
        "城关街道",
        "Chengguan Subdistrict",
        0,
        0,
        [3, 3],
        [3, 3, 3],
        [
            (1, "文化路社区", "Wenhua Road Community", CommunityKind.URBAN),
            (2, "人民路社区", "Renmin Road Community", CommunityKind.URBAN),
            (3, "府前街社区", "Fuqian Street Community", CommunityKind.URBAN),
            (4, "鼓楼社区", "Gulou Community", CommunityKind.URBAN),
            (5, "解放路社区", "Jiefang Road Community", CommunityKind.URBAN),
            (6, "文庙社区", "Wenmiao Community", CommunityKind.URBAN),
        ],
    ),
    (
        2,
        "东城街道",
        "Dongcheng Subdistrict",
        6,
        0,
        [4, 3],
        [3, 3, 3],
        [
            (1, "东关社区", "Dongguan Community", CommunityKind.URBAN),
            (2, "建设路社区", "Jianshe Road Community", CommunityKind.URBAN),
            (3, "新华路社区", "Xinhua Road Community", CommunityKind.URBAN),
            (4, "光明路社区", "Guangming Road Community", CommunityKind.URBAN),
            (5, "迎宾路社区", "Yingbin Road Community", CommunityKind.URBAN),
            (6, "振兴路社区", "Zhenxing Road Community", CommunityKind.URBAN),
        ],
    ),
    (
        3,
        "西城街道",
        "Xicheng Subdistrict",
        0,
        9,
        [3, 4],
        [3, 3, 3],
        [
            (1, "西关社区", "Xiguan Community", CommunityKind.URBAN),
            (2, "和平路社区", "Heping Road Community", CommunityKind.URBAN),
            (3, "胜利路社区", "Shengli Road Community", CommunityKind.URBAN),
            (4, "育才路社区", "Yucai Road Community", CommunityKind.URBAN),
            (5, "花园社区", "Huayuan Community", CommunityKind.URBAN),
            (6, "青年路社区", "Qingnian Road Community", CommunityKind.URBAN),
        ],
    ),
    (
        4,
        "南湖街道",
        "Nanhu Subdistrict",
        7,
        9,
        [3, 3],
        [4, 5],
        [
            (1, "南湖社区", "Nanhu Community", CommunityKind.URBAN),
            (2, "湖滨社区", "Hubin Community", CommunityKind.URBAN),
            (201, "李家庄村", "Lijiazhuang Village", CommunityKind.VILLAGE),
            (202, "王楼村", "Wanglou Village", CommunityKind.VILLAGE),
        ],
    ),
]

# Component classes and how common they are in the demo, with (owner, maintainer) by class.
COMPONENT_WEIGHTS: dict[str, float] = {
    "0101": 5,
    "0102": 6,
    "0103": 6,
    "0104": 5,
    "0105": 3,
    "0106": 2,
    "0107": 3,
    "0111": 2,
    "0116": 3,
    "0118": 10,
    "0119": 1,
    "0203": 1,
    "0206": 1,
    "0207": 3,
    "0209": 2,
    "0301": 1,
    "0304": 8,
    "0305": 2,
    "0308": 3,
    "0310": 2,
    "0401": 0.3,
    "0402": 8,
    "0404": 1,
    "0501": 2,
    "0602": 0.5,
}
COMPONENT_KEEPERS: dict[str, tuple[str, str]] = {
    "0101": ("汶阳县水务集团", "汶阳县供水有限公司"),
    "0102": ("汶阳县住房和城乡建设局", "汶阳县市政工程维护中心"),
    "0103": ("汶阳县住房和城乡建设局", "汶阳县市政工程维护中心"),
    "0104": ("汶阳县住房和城乡建设局", "汶阳县市政工程维护中心"),
    "0105": ("国网汶阳县供电公司", "国网汶阳县供电公司"),
    "0106": ("汶阳县城市管理局", "汶阳县路灯管理所"),
    "0107": ("中国电信汶阳分公司", "中国电信汶阳分公司"),
    "0111": ("汶阳县燃气有限公司", "汶阳县燃气有限公司"),
    "0116": ("汶阳县消防救援大队", "汶阳县供水有限公司"),
    "0118": ("汶阳县城市管理局", "汶阳县路灯管理所"),
    "0119": ("国网汶阳县供电公司", "国网汶阳县供电公司"),
    "02": ("汶阳县交通运输局", "汶阳县公路事业发展中心"),
    "0206": ("汶阳县公安局交通管理大队", "汶阳县公安局交通管理大队"),
    "0207": ("汶阳县公安局交通管理大队", "汶阳县公安局交通管理大队"),
    "03": ("汶阳县综合行政执法局", "汶阳县环境卫生服务中心"),
    "04": ("汶阳县园林绿化服务中心", "汶阳县园林绿化服务中心"),
    "05": ("汶阳县自然资源和规划局", "所在社区居民委员会"),
    "06": ("汶阳县应急管理局", "汶阳县应急管理局"),
}
STATE_WEIGHTS = [
    (ComponentState.INTACT, 84),
    (ComponentState.DAMAGED, 9),
    (ComponentState.LOST, 3),
    (ComponentState.OCCUPIED, 4),
]
