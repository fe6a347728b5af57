"""The component classes GridGov ships with (after CJ/T 214): (major, minor, 中文, English)."""

COMPONENT_TYPES: list[tuple[str, str, str, str]] = [
    ("01", "01", "上水井盖", "water-supply manhole cover"),
    ("01", "02", "污水井盖", "sewage manhole cover"),
    ("01", "03", "雨水井盖", "storm-water manhole cover"),
    ("01", "04", "雨水箅子", "storm-drain grate"),
    ("01", "05", "电力井盖", "power manhole cover"),
    ("01", "06", "路灯井盖", "street-light manhole cover"),
    ("01", "07", "通信井盖", "telecom manhole cover"),
    ("01", "10", "热力井盖", "heating manhole cover"),
    ("01", "11", "燃气井盖", "gas manhole cover"),
    ("01", "16", "消防栓", "fire hydrant"),
    ("01", "18", "路灯", "street lamp"),
    ("01", "19", "变压器（箱）", "transformer box"),
    ("02", "01", "停车场", "car park"),
    ("02", "03", "公交站亭", "bus shelter"),
    ("02", "06", "交通信号灯", "traffic light"),
    ("02", "07", "交通标志牌", "traffic sign"),
    ("02", "09", "道路护栏", "road guardrail"),
    ("02", "14", "人行天桥", "footbridge"),
    ("03", "01", "公共厕所", "public toilet"),
    ("03", "04", "垃圾箱", "litter bin"),
    ("03", "05", "广告牌匾", "billboard"),
    ("03", "08", "公共座椅", "public bench"),
    ("03", "10", "垃圾收集点", "refuse collection point"),
    ("04", "01", "古树名木", "heritage tree"),
    ("04", "02", "行道树", "street tree"),
    ("04", "04", "绿地", "green space"),
    ("04", "07", "雕塑", "sculpture"),
    ("05", "01", "宣传栏", "notice board"),
    ("05", "03", "房屋", "building"),
    ("06", "01", "重大危险源", "major hazard source"),
    ("06", "02", "工地", "construction site"),
    ("06", "03", "水域附属设施", "waterside facility"),
]


def component_types_ensure(**kwargs) -> None:
    """Add any shipped component class (and the grid-index stamp row) that is missing.

    Connected to ``post_migrate``: the data migration loads them once, but a database
    flush (tests that commit, ``manage.py flush``) empties the tables and migrations do not
    run again. Existing rows are left as the back office may have renamed them.
    """
    from grids.models import ComponentType, GridIndexStamp

    present = set(ComponentType.objects.values_list("major_class", "minor_class"))
    ComponentType.objects.bulk_create(
        ComponentType(major_class=major, minor_class=minor, name=name, name_en=name_en)
        for major, minor, name, name_en in COMPONENT_TYPES
        if (major, minor) not in present
    )
    GridIndexStamp.objects.get_or_create(pk=1)
