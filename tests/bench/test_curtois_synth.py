"""Synthetic instances of the benchmark's hidden sizes: well formed, feasible by construction, reproducible."""

from __future__ import annotations

from bench import curtois_synth
from bench.curtois_format import parse_text
from bench.curtois_inputs import to_inputs, to_roster
from bench.curtois_score import score
from roster.solver import solve


def test_an_instance_parses_and_has_the_asked_size():
    instance = parse_text(curtois_synth.make(weeks=2, staff=30, shifts=28, seed=3), name="Synth")
    assert instance.days == 14 and len(instance.staff) == 30 and len(instance.shifts) == 28
    assert [s.id for s in instance.shifts][26:] == ["AA", "AB"]  # named as the benchmark names them
    assert instance.cover and instance.on_requests and instance.off_requests


def test_the_same_seed_gives_the_same_instance_and_another_seed_another():
    one = curtois_synth.make(weeks=2, staff=6, shifts=2, seed=1)
    assert one == curtois_synth.make(weeks=2, staff=6, shifts=2, seed=1)
    assert one != curtois_synth.make(weeks=2, staff=6, shifts=2, seed=2)


def test_the_engine_finds_a_roster_the_independent_scorer_accepts():
    instance = parse_text(curtois_synth.make(weeks=2, staff=8, shifts=3, seed=5), name="Synth")
    result = solve(to_inputs(instance), time_limit=20)
    assert result.ok
    scored = score(instance, to_roster(instance, result))
    assert scored.violations == () and scored.objective == result.objective
