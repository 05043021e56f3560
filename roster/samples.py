"""Sample desks for the demo data, the tests and the benchmark (deterministic by seed)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from roster.domain import TEAMS, Leave, Member, RosterInputs, frozen_map
from roster.patterns import make_pattern

SURNAMES = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Hu",
            "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo")


def desk_people(per_position: int = 1, spares: int = 2) -> tuple[Member, ...]:
    """Four teams of ``per_position`` leaders, info and comms watchers, plus spares holding both skills."""
    people = []
    for team in TEAMS:
        for i in range(per_position):
            people.append(Member(f"lead{team}{i}", _name(len(people)), "leader", frozenset(), team))
            people.append(Member(f"info{team}{i}", _name(len(people)), "watcher", frozenset({"info"}), team))
            people.append(Member(f"comm{team}{i}", _name(len(people)), "watcher", frozenset({"comms"}), team))
    for i in range(spares):
        people.append(Member(f"spare{i}", _name(len(people)), "watcher", frozenset({"info", "comms"}), None))
    return tuple(people)


def _name(i: int) -> str:
    """A short display name, unique per index."""
    return SURNAMES[i % len(SURNAMES)] + ("" if i < len(SURNAMES) else str(i // len(SURNAMES)))


def random_leaves(people: tuple[Member, ...], start: date, days: int, count: int, seed: int,
                  max_len: int = 4) -> tuple[Leave, ...]:
    """``count`` leaves of 1..max_len days for random people (deterministic by ``seed``)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        p = rng.choice(people)
        first = start + timedelta(days=rng.randrange(days))
        out.append(Leave(p.username, first, first + timedelta(days=rng.randrange(max_len)), reason="sample"))
    return tuple(out)


def desk_inputs(per_position: int = 1, spares: int = 2, days: int = 92, leaves: int = 5, seed: int = 1,
                start: date = date(2026, 1, 1), code: str = "DNOO") -> RosterInputs:
    """A whole solve problem: the desk, the period, the pattern anchored at ``start``, random leave."""
    people = desk_people(per_position, spares)
    cov = {"leader": per_position, "info": per_position, "comms": per_position}
    return RosterInputs(
        people=people,
        start=start,
        days=days,
        pattern=make_pattern(code, start),
        coverage=frozen_map(cov),
        leaves=random_leaves(people, start, days, leaves, seed),
    )
