"""A small, realistic organisation for trying the app: 2 regions, 6 halls, 30 staff."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.auth.operations import create_user
from inspect_app.calendar import halls_today
from inspect_app.checklists.models import Checklist
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment, AssignmentStatus, TimeSlot
from inspect_app.stores.models import Region, Staff, StaffPosting, Store

DEMO_CHECKLIST_KEY = "business-hall-mystery-shop"

#: username -> (role, password); printed by `flask demo`.
DEMO_PASSWORDS: dict[str, tuple[str, str]] = {
    "admin": ("admin", "demo-admin-pass"),
    "reviewer": ("reviewer", "demo-review-pass"),
    "inspector": ("inspector", "demo-inspect-pass"),
    "manager": ("manager", "demo-manager-pass"),
    "hr": ("hr", "demo-hr-pass-01"),
}

DISPLAY_NAMES = {
    "admin": "系统管理员",
    "reviewer": "质检 周敏",
    "inspector": "暗访员 陈立",
    "manager": "店长 王芳",
    "hr": "人力 刘洋",
}

REGIONS = [
    ("R01", "城东片区", [
        ("330101001", "解放路营业厅"), ("330101002", "庆春路营业厅"), ("330101003", "城站营业厅"),
    ]),
    ("R02", "城西片区", [
        ("330102001", "文三路营业厅"), ("330102002", "西溪营业厅"), ("330102003", "古墩路营业厅"),
    ]),
]  # fmt: skip

STAFF_NAMES = [
    "张伟", "王静", "李娜", "刘洋", "陈杰", "杨帆", "赵敏", "黄磊", "周婷", "吴昊",
    "徐丽", "孙强", "胡月", "朱琳", "高翔", "林晓", "何芳", "郭涛", "马超", "罗雪",
    "梁晨", "宋佳", "郑凯", "谢婷", "韩冰", "唐宁", "冯雨", "于洁", "董鹏", "萧然",
]  # fmt: skip
POSITIONS = ["值班店长", "营业员", "营业员", "引导员", "营业员"]
#: (hall number, roster position) of the one person who left, and how many days ago: the
#: history shows them serving before that day and never after.
LEAVER = (2, 5, 25)


def load_demo(today: date | None = None) -> bool:
    """Load the demo organisation once; return False if it is already there."""
    if db.session.scalar(select(User).where(User.username == "admin")) is not None:
        return False
    today = today or halls_today()
    stores: list[Store] = []
    names = iter(STAFF_NAMES)
    for region_code, region_name, halls in REGIONS:
        region = Region(code=region_code, name=region_name)
        db.session.add(region)
        for code, name in halls:
            store = Store(code=code, name=name, region=region, address=f"{region_name}{name}")
            db.session.add(store)
            stores.append(store)
            for n, position in enumerate(POSITIONS, start=1):
                employee_no = (
                    f"00{len(stores):02d}{n:03d}"  # 工号 with leading zeros, as HR keys them
                )
                person = Staff(
                    employee_no=employee_no, name=next(names), store=store, position=position
                )
                left_on = None
                if (len(stores), n) == LEAVER[:2]:
                    left_on = today - timedelta(days=LEAVER[2])
                    # As the roster import records a 离职日期: the start of that day, UTC.
                    person.is_active, person.left_at = False, datetime.combine(left_on, time(), UTC)
                # On the hall's roster since before the history begins, until they left.
                person.postings.append(StaffPosting(store=store, ended_on=left_on))
                db.session.add(person)
    db.session.flush()
    users = {}
    for username, (role, password) in DEMO_PASSWORDS.items():
        users[username] = create_user(username, password, Role(role), DISPLAY_NAMES[username])
    users["manager"].stores = stores[:2]
    users["inspector"].region_id = stores[0].region_id
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == DEMO_CHECKLIST_KEY))
    if checklist is not None:
        month_start = today.replace(day=1)
        plan = [
            (stores[0], month_start, today + timedelta(days=6), TimeSlot.PEAK),
            (stores[3], today, today + timedelta(days=10), TimeSlot.OFF_PEAK),
            (stores[1], month_start - timedelta(days=14), today - timedelta(days=1), TimeSlot.PEAK),
        ]
        for store, start, end, slot in plan:
            db.session.add(
                Assignment(
                    inspector_id=users["inspector"].id,
                    store_id=store.id,
                    checklist_id=checklist.id,
                    window_start=min(start, end),
                    window_end=end,
                    time_slot=slot,
                    status=AssignmentStatus.PUBLISHED,
                    created_by_id=users["admin"].id,
                )
            )
    db.session.flush()
    return True
