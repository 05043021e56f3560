"""The demo desk: 4 teams × (leader, info watcher, comms watcher), 2 spare watchers and 2 managers.

Other packages add their own demo data (checks, a published roster) through their ``Feature.demo_loaders``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session, select

from desk import accounts
from desk.models import Team

DEMO_PASSWORD = "demo-pass-2026"

# username, name, role, skills, team
DEMO_PEOPLE: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("zhangwei", "张伟", "leader", "info,comms", "A"),
    ("liqiang", "李强", "watcher", "info", "A"),
    ("wangfang", "王芳", "watcher", "comms", "A"),
    ("liuyang", "刘洋", "leader", "info", "B"),
    ("chenjing", "陈静", "watcher", "info", "B"),
    ("yangmin", "杨敏", "watcher", "comms", "B"),
    ("zhaolei", "赵磊", "leader", "comms", "C"),
    ("huangli", "黄丽", "watcher", "info", "C"),
    ("zhoujie", "周杰", "watcher", "comms", "C"),
    ("wuhao", "吴昊", "leader", "", "D"),
    ("xuting", "徐婷", "watcher", "info", "D"),
    ("sunpeng", "孙鹏", "watcher", "comms", "D"),
    ("majun", "马军", "watcher", "info,comms", None),
    ("zhuxia", "朱霞", "watcher", "info,comms", None),
    ("guohua", "郭华", "manager", "", None),
    ("linna", "林娜", "manager", "", None),
)
TEAM_NAMES = {"A": "甲班 Team A", "B": "乙班 Team B", "C": "丙班 Team C", "D": "丁班 Team D", "E": "戊班 Team E"}

DemoLoader = Callable[[Session], None]


def ensure_teams(session: Session) -> None:
    """Create teams A–E if they are missing (the demo people are in A–D; E is there for 五班三运转)."""
    existing = set(session.exec(select(Team.code)))
    for code, name in TEAM_NAMES.items():
        if code not in existing:
            session.add(Team(code=code, name=name))
    session.flush()


def load(session: Session, loaders: Iterable[DemoLoader] = ()) -> int:
    """Create whatever of the demo desk is missing, then run ``loaders`` (the features'); returns new people."""
    ensure_teams(session)
    created = 0
    for username, name, role, skills, team in DEMO_PEOPLE:
        if accounts.get_by_username(session, username):
            continue
        fields = accounts.PersonFields(username=username, display_name=name, role=role,
                                       skills=accounts.normalise_skills(skills), team_code=team,
                                       email=f"{username}@desk.example")
        accounts.create_person(session, actor="demo", fields=fields, password=DEMO_PASSWORD)
        created += 1
    session.flush()
    for loader in loaders:
        loader(session)
    return created


def logins_text() -> str:
    """The demo logins, one line each, for the terminal."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, name, role, skills, team in DEMO_PEOPLE:
        where = f"team {team}" if team else ("spare" if role == "watcher" else "")
        lines.append(f"  {username:<10} {name}  {role:<8} {skills or '-':<11} {where}")
    return "\n".join(lines)
