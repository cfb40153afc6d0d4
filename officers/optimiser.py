"""Propose named officers for an area's schools: a generalised assignment problem solved as a mixed-integer programme.

Each school may go to one of its K nearest eligible officers (same BCU, active), its current officer, or its officer
in the starting plan. The objective covers schools first (leaving a school uncovered costs more than any
trip, scaled by its priority) and then minimises total straight-line distance from officer base to school, subject to
each officer's remaining weighted capacity. Current assignments stay fixed; with `allow_moves` they become choices
too, and keeping one is worth `stability_km`, so a move must save more than that distance.

Areas (BCUs) are independent under the BCU rule, so each is its own small programme. HiGHS (through `highspy`)
solves each within the time left, starting from a greedy plan (nearest officer with room, heavier schools first:
always feasible, so there is a plan even if time runs out), and reports the proved gap between the plan and the best
possible. The baseline shown beside the proposal is the allocator's greedy choice in queue order (`greedy`).

Pure Python data in, data out: no database here, so the benchmark and tests can call it directly.
"""

import math
import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

EARTH_RADIUS_KM = 6371.0088
# Chosen on the benchmark's BCU-sized areas (bench/bench_optimiser.py; the figures are in docs/performance.md): three
# primal heuristics cost more than they find on these assignment problems; feasibility jump is not needed when the
# greedy plan is the start; a cut pool of 100 (default 10,000) keeps root cut rounds short.
HIGHS_OPTIONS = {
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_pool_soft_limit": 100,
}


def _quiet_first_highs() -> None:
    """HiGHS prints a two-line banner from C++ the first time a process creates a solver, past Python's stdout and
    into the JSON logs. Create that first solver at import (Django loads apps in one thread) with file descriptor 1
    pointed at /dev/null; output_flag=False silences every later one."""
    try:
        sys.stdout.flush()
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        highspy.Highs()
        return
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


_quiet_first_highs()

ROUNDS = 4
# Up to this many (school, officer) pairs, an area solved by base whose packing left schools over is also solved
# officer by officer with every officer a candidate, and the better plan kept.
FULL_PROGRAMME_PAIRS = 1_000
NO_OFFICER = "no active officer serves this school's BCU"
NO_CAPACITY = "not enough officer capacity in the BCU"


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on floats or NumPy arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


@dataclass(frozen=True)
class SchoolIn:
    urn: int
    area: str  # the BCU (or police area) the school belongs to
    latitude: float
    longitude: float
    weight: int
    priority: int = 1
    current_officer: int | None = None


@dataclass(frozen=True)
class OfficerIn:
    id: int
    area: str
    latitude: float
    longitude: float
    capacity: int


@dataclass
class Plan:
    assignments: dict[int, int]  # urn -> officer id, for every school covered (fixed ones included)
    new: dict[int, int]  # urn -> officer id proposed (not already current)
    moves: dict[int, tuple[int, int]]  # urn -> (from officer, to officer)
    uncovered: dict[int, str]  # urn -> why, most urgent first (priority, then weight)
    total_km: float
    loads: dict[int, int]
    gap: float | None = None
    seconds: float = 0.0
    status: str = ""
    method: str = ""
    notes: list[str] = field(default_factory=list)


def _distance_matrix(schools, officers) -> np.ndarray:
    s_lat = np.array([s.latitude for s in schools], dtype=float)[:, None]
    s_lon = np.array([s.longitude for s in schools], dtype=float)[:, None]
    o_lat = np.array([o.latitude for o in officers], dtype=float)[None, :]
    o_lon = np.array([o.longitude for o in officers], dtype=float)[None, :]
    return haversine_km(s_lat, s_lon, o_lat, o_lon).reshape(len(schools), len(officers))


def _group(items) -> dict[str, list]:
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.area, []).append(item)
    return groups


def _finish(schools, officers, assignments, *, method, seconds, gap=None, status="", notes=None) -> Plan:
    by_id = {o.id: o for o in officers}
    loads = {o.id: 0 for o in officers}
    new, moves, uncovered, total = {}, {}, {}, 0.0
    eligible_areas = {o.area for o in officers}
    located = {}
    for school in schools:
        officer_id = assignments.get(school.urn)
        if officer_id is None:
            continue
        loads[officer_id] += school.weight
        located.setdefault(officer_id, []).append(school)
        if school.current_officer is None:
            new[school.urn] = officer_id
        elif school.current_officer != officer_id:
            moves[school.urn] = (school.current_officer, officer_id)
    for officer_id, own in located.items():
        officer = by_id[officer_id]
        total += float(_distance_matrix(own, [officer]).sum())
    for school in sorted(schools, key=lambda s: (-s.priority, -s.weight, s.urn)):
        if school.urn not in assignments:
            uncovered[school.urn] = NO_OFFICER if school.area not in eligible_areas else NO_CAPACITY
    return Plan(
        assignments=assignments,
        new=new,
        moves=moves,
        uncovered=uncovered,
        total_km=round(total, 3),
        loads=loads,
        gap=gap,
        seconds=round(seconds, 3),
        status=status,
        method=method,
        notes=notes or [],
    )


def _queue_order(schools) -> list[int]:
    """The order an allocator works the queue: schools that asked first, otherwise as given (callers pass schools in
    queue order)."""
    return sorted(range(len(schools)), key=lambda i: -schools[i].priority)


def _packing_order(schools) -> list[int]:
    """Schools that asked first, then heavier first: a worse baseline in distance, but a starting plan that packs
    capacity better, from which HiGHS finishes sooner (docs/performance.md)."""
    return sorted(range(len(schools)), key=lambda i: (-schools[i].priority, -schools[i].weight, schools[i].urn))


def _greedy_area(schools, officers, km, room, order=_queue_order) -> np.ndarray:
    """Indices of the officer the greedy gives each school (-1: none), updating `room` (remaining capacity)."""
    choice = np.full(len(schools), -1, dtype=int)
    if not len(officers):
        return choice
    nearest_first = np.argsort(km, axis=1, kind="stable")
    for i in order(schools):
        weight = schools[i].weight
        for j in nearest_first[i]:
            if room[j] >= weight:
                choice[i] = j
                room[j] -= weight
                break
    return choice


def greedy(schools: list[SchoolIn], officers: list[OfficerIn], **_ignored) -> Plan:
    """The simple choice an allocator makes: current officers stay; then the schools in queue order (those that asked
    first, then as given), each to its nearest officer with room. The baseline the optimiser is compared with.
    (Taking heavier schools first instead made this baseline worse on the benchmark: docs/performance.md.)"""
    started = time.perf_counter()
    assignments: dict[int, int] = {}
    officers_by_area = _group(officers)
    for area, area_schools in _group(schools).items():
        area_officers = officers_by_area.get(area, [])
        index = {o.id: j for j, o in enumerate(area_officers)}
        room = np.array([o.capacity for o in area_officers], dtype=float)
        waiting = []
        for school in area_schools:
            if school.current_officer in index:
                assignments[school.urn] = school.current_officer
                room[index[school.current_officer]] -= school.weight
            else:
                waiting.append(school)
        if not waiting or not area_officers:
            continue
        choice = _greedy_area(waiting, area_officers, _distance_matrix(waiting, area_officers), room)
        for school, j in zip(waiting, choice, strict=True):
            if j >= 0:
                assignments[school.urn] = area_officers[j].id
    return _finish(schools, officers, assignments, method="greedy", seconds=time.perf_counter() - started)


@dataclass
class _AreaResult:
    assignments: dict[int, int]
    objective: float  # the plan's cost (distance, less stability bonuses, plus uncovered penalties)
    bound: float  # HiGHS's proved lower bound on that cost
    status: str
    notes: list[str]
    uncovered_cost: dict[int, float] = field(default_factory=dict)  # urn -> what leaving it uncovered cost


def _base_key(officer: OfficerIn) -> tuple[float, float]:
    return (round(officer.latitude, 5), round(officer.longitude, 5))  # about a metre


def _solve_area(schools, officers, *, k, allow_moves, stability_km, time_limit, gap_target, threads) -> _AreaResult:
    """One area. Officers who share a base (several at one police station, as most are) are the same distance from
    every school, so the K nearest officers of a school would all be at one base and the school could never go to
    another: then the area is solved by base (`_solve_by_base`). Otherwise officer by officer (`_solve_officers`)."""
    bases: dict[tuple[float, float], list[OfficerIn]] = {}
    for officer in officers:
        bases.setdefault(_base_key(officer), []).append(officer)
    if len(bases) == len(officers):
        return _solve_officers(
            schools,
            officers,
            k=k,
            allow_moves=allow_moves,
            stability_km=stability_km,
            time_limit=time_limit,
            gap_target=gap_target,
            threads=threads,
        )
    return _solve_by_base(
        schools,
        list(bases.values()),
        k=k,
        allow_moves=allow_moves,
        stability_km=stability_km,
        time_limit=time_limit,
        gap_target=gap_target,
        threads=threads,
    )


def _solve_by_base(schools, bases, *, k, allow_moves, stability_km, time_limit, gap_target, threads) -> _AreaResult:
    """Officers who share a base, in two steps. First the same programme with one stand-in "officer" per base holding
    the room its officers have left between them (schools fixed to their officer stay so when moves are not allowed).
    That is a relaxation of the real problem, so HiGHS's bound on it bounds the real plan too. Then each base's
    schools are packed into its officers: a school keeps its current officer if it stays at that base and fits, then
    heaviest first, each to the officer with the least room that still fits it. If some schools do not fit, their
    base's room is cut to what was packed and the first step runs again (a few rounds at most); a school still left
    over goes to the nearest officer in the area with room, or stays uncovered. The gap is the final plan's cost
    against the first bound, so any loss from packing shows in it."""
    started = time.perf_counter()
    officers = [officer for base in bases for officer in base]
    officer_base = {officer.id: b for b, base in enumerate(bases) for officer in base}
    room = {officer.id: float(officer.capacity) for officer in officers}
    assignments: dict[int, int] = {}
    free: list[SchoolIn] = []
    for school in schools:
        if school.current_officer in room and not allow_moves:
            assignments[school.urn] = school.current_officer
            room[school.current_officer] -= school.weight
        else:
            free.append(school)
    notes = []
    if any(value < 0 for value in room.values()):
        notes.append("Some officers are already over capacity through their current schools.")
    if not free:
        return _AreaResult(assignments, 0.0, 0.0, "optimal", notes)
    by_base_schools = [
        SchoolIn(
            urn=school.urn,
            area=school.area,
            latitude=school.latitude,
            longitude=school.longitude,
            weight=school.weight,
            priority=school.priority,
            current_officer=officer_base.get(school.current_officer) if school.current_officer is not None else None,
        )
        for school in free
    ]
    schools_by_urn = {school.urn: school for school in free}
    base_room = [sum(max(room[officer.id], 0) for officer in base) for base in bases]
    bound = None
    packing_lost = False
    for _round in range(ROUNDS):
        stand_ins = [
            OfficerIn(id=b, area=base[0].area, latitude=base[0].latitude, longitude=base[0].longitude, capacity=int(r))
            for b, (base, r) in enumerate(zip(bases, base_room, strict=True))
        ]
        first = _solve_officers(
            by_base_schools,
            stand_ins,
            k=k,
            allow_moves=True,  # every school here is free; staying at its current base only earns the stability bonus
            stability_km=stability_km if allow_moves else 0.0,
            time_limit=time_limit - (time.perf_counter() - started),
            gap_target=gap_target,
            threads=threads,
        )
        if bound is None:
            bound, penalties = first.bound, first.uncovered_cost
        packed, left_room, leftovers = _pack_bases(first.assignments, bases, officer_base, room, schools_by_urn)
        packing_lost = packing_lost or bool(leftovers)
        if not leftovers or time.perf_counter() - started > time_limit / 2:
            break
        for b in {first.assignments[school.urn] for school in leftovers}:
            base_room[b] = sum(room[o.id] - left_room[o.id] for o in bases[b])  # what its officers could take
    notes.extend(note for note in first.notes if note not in notes)
    assignments.update(packed)
    objective = first.objective
    if leftovers:
        km = _distance_matrix(leftovers, officers)
        base_km = _distance_matrix(leftovers, [base[0] for base in bases])
        for i, school in enumerate(leftovers):
            before = float(base_km[i, first.assignments[school.urn]])
            for j in np.argsort(km[i], kind="stable"):
                if left_room[officers[j].id] >= school.weight:
                    assignments[school.urn] = officers[j].id
                    left_room[officers[j].id] -= school.weight
                    objective += float(km[i, j]) - before
                    break
            else:
                objective += penalties.get(school.urn, 0.0) - before
    result = _AreaResult(assignments, objective, min(bound, objective), first.status, notes, penalties)
    left_time = time_limit - (time.perf_counter() - started)
    if packing_lost and len(free) * len(officers) <= FULL_PROGRAMME_PAIRS and left_time > 0.1:
        # Packing left schools over: on a small area, the whole programme officer by officer may do better.
        whole = _solve_officers(
            schools,
            officers,
            k=len(officers),
            allow_moves=allow_moves,
            stability_km=stability_km,
            time_limit=left_time,
            gap_target=gap_target,
            threads=threads,
        )
        if _plan_key(whole.assignments, schools, officers) < _plan_key(assignments, schools, officers):
            whole.bound = max(whole.bound, min(bound, whole.objective)) if whole.status == "optimal" else whole.bound
            whole.notes = notes + [note for note in whole.notes if note not in notes]
            return whole
    return result


def _plan_key(assignments, schools, officers) -> tuple[float, float]:
    """Better plans sort first: fewer uncovered schools (by priority), then less travel."""
    by_id = {officer.id: officer for officer in officers}
    uncovered = sum(school.priority for school in schools if school.urn not in assignments)
    km = sum(
        float(
            haversine_km(
                s.latitude, s.longitude, by_id[assignments[s.urn]].latitude, by_id[assignments[s.urn]].longitude
            )
        )
        for s in schools
        if s.urn in assignments
    )
    return (uncovered, round(km, 6))


def _pack_bases(base_of_school, bases, officer_base, room, schools_by_urn):
    """Share each base's schools among its officers (see `_solve_by_base`): (urn -> officer id, room left per
    officer, schools that did not fit)."""
    left = dict(room)
    packed: dict[int, int] = {}
    leftovers: list[SchoolIn] = []
    at_base: dict[int, list[SchoolIn]] = {}
    for urn, b in base_of_school.items():
        at_base.setdefault(b, []).append(schools_by_urn[urn])
    for b, placed in sorted(at_base.items()):
        base = bases[b]
        keeping = [s for s in placed if s.current_officer is not None and officer_base.get(s.current_officer) == b]
        others = [s for s in placed if not (s.current_officer is not None and officer_base.get(s.current_officer) == b)]
        for school in keeping:
            if left[school.current_officer] >= school.weight:
                packed[school.urn] = school.current_officer
                left[school.current_officer] -= school.weight
            else:
                others.append(school)
        for school in sorted(others, key=lambda s: (-s.weight, -s.priority, s.urn)):
            fits = [o for o in base if left[o.id] >= school.weight]
            if not fits:
                leftovers.append(school)
                continue
            officer = min(fits, key=lambda o: (left[o.id], o.id))
            packed[school.urn] = officer.id
            left[officer.id] -= school.weight
    return packed, left, leftovers


def _solve_officers(schools, officers, *, k, allow_moves, stability_km, time_limit, gap_target, threads) -> _AreaResult:
    index = {o.id: j for j, o in enumerate(officers)}
    remaining = np.array([o.capacity for o in officers], dtype=float)
    assignments: dict[int, int] = {}
    free: list[SchoolIn] = []
    for school in schools:
        if school.current_officer in index and not allow_moves:
            assignments[school.urn] = school.current_officer
            remaining[index[school.current_officer]] -= school.weight
        else:
            free.append(school)
    notes = []
    if (remaining < 0).any():
        notes.append("Some officers are already over capacity through their current schools.")
    if not free:
        return _AreaResult(assignments, 0.0, 0.0, "optimal", notes)
    m, n_officers = len(free), len(officers)
    km = _distance_matrix(free, officers)
    current = np.array([index.get(s.current_officer, -1) for s in free])

    # The starting plan: current officers kept where they fit, then nearest-with-room for the rest, heavier first.
    room = np.maximum(remaining, 0)
    start = np.full(m, -1, dtype=int)
    for i in np.flatnonzero(current >= 0):
        if room[current[i]] >= free[i].weight:
            start[i] = current[i]
            room[current[i]] -= free[i].weight
    rest = np.flatnonzero(start < 0)
    if len(rest):
        start[rest] = _greedy_area([free[i] for i in rest], officers, km[rest], room, order=_packing_order)

    # Candidates: the K nearest, the current officer and the starting plan's officer.
    keep = min(k, n_officers)
    candidate = np.zeros((m, n_officers), dtype=bool)
    nearest = np.argpartition(km, keep - 1, axis=1)[:, :keep] if keep < n_officers else np.arange(n_officers)[None, :]
    np.put_along_axis(candidate, np.broadcast_to(nearest, (m, nearest.shape[1])), True, axis=1)
    for choices in (current, start):
        chosen = np.flatnonzero(choices >= 0)
        candidate[chosen, choices[chosen]] = True
    rows, cols = np.nonzero(candidate)
    n = len(rows)
    pair_km = km[rows, cols]
    weights = np.array([s.weight for s in free], dtype=float)
    priority = np.array([s.priority for s in free], dtype=float)
    keeps = cols == current[rows]
    # Leaving a school uncovered costs more than twice the longest candidate trip, times its priority: coverage comes
    # first in practice, and once every school is covered the objective is the travel itself, so the gap is on distance.
    uncovered_cost = (2 * (float(pair_km.max()) + stability_km) + 10.0) * priority
    cost = np.concatenate([pair_km - np.where(keeps, stability_km, 0.0), uncovered_cost])

    # Column-wise matrix: a pair (school i, officer j) has 1 in school row i and the school's weight in capacity row
    # m + j; the uncovered column of school i has 1 in row i.
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + m, m + n_officers
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n + m)
    lp.col_upper_ = np.ones(n + m)
    lp.row_lower_ = np.concatenate([np.ones(m), np.full(n_officers, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.ones(m), np.maximum(remaining, 0)])
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * m
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + m, m + n_officers
    lp.a_matrix_.start_ = np.concatenate([np.arange(0, 2 * n + 1, 2), 2 * n + np.arange(1, m + 1)])
    lp.a_matrix_.index_ = np.concatenate([np.column_stack([rows, m + cols]).ravel(), np.arange(m)])
    lp.a_matrix_.value_ = np.concatenate([np.column_stack([np.ones(n), weights[rows]]).ravel(), np.ones(m)])

    warm = np.zeros(n + m)
    pair_of = {(int(i), int(j)): p for p, (i, j) in enumerate(zip(rows, cols, strict=True))}
    for i, j in enumerate(start):
        if j >= 0:
            warm[pair_of[(i, int(j))]] = 1.0
        else:
            warm[n + i] = 1.0
    options = {**HIGHS_OPTIONS, "mip_rel_gap": float(gap_target), "threads": int(threads)}
    deadline = time.perf_counter() + max(0.1, float(time_limit))

    solved = _run(lp, options, deadline, integer=True, start=warm)
    if solved is None or solved[0] is None:
        x = warm
        notes.append("The solver found no better plan in time than the starting plan.")
        bound_value, model_ok = -math.inf, False
    else:
        x, bound_value, model_ok = solved
    for p in np.flatnonzero(x[:n] > 0.5):
        assignments[free[rows[p]].urn] = officers[cols[p]].id
    objective = float(cost @ x)
    status = "optimal" if model_ok else "time limit reached"
    penalties = {school.urn: float(uncovered_cost[i]) for i, school in enumerate(free)}
    return _AreaResult(assignments, objective, min(bound_value, objective), status, notes, penalties)


def _run(lp, options, deadline, *, integer, start=None):
    """Solve `lp` (as a MIP or its LP relaxation) with HiGHS until `deadline`: (x, proved bound, finished) or None."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for name, value in {**options, "time_limit": left}.items():
        highs.setOptionValue(name, value)
    if not integer:
        saved = lp.integrality_
        lp.integrality_ = []
        highs.passModel(lp)
        lp.integrality_ = saved
    else:
        highs.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        highs.setSolution(solution)
    highs.run()
    info = highs.getInfo()
    status = highs.getModelStatus()
    if info.primal_solution_status != 2:  # 2: a feasible solution
        return None
    x = np.asarray(highs.getSolution().col_value)
    if not integer:
        return x, float(info.objective_function_value), status == highspy.HighsModelStatus.kOptimal
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else -math.inf
    return x, bound, status == highspy.HighsModelStatus.kOptimal


def optimise(
    schools: list[SchoolIn],
    officers: list[OfficerIn],
    *,
    k: int = 8,
    allow_moves: bool = False,
    stability_km: float = 2.0,
    time_limit: float = 20.0,
    gap_target: float = 0.001,
    threads: int = 1,
) -> Plan:
    """The best plan HiGHS finds in `time_limit` seconds for all the areas together (proved within `gap_target` of
    optimal in every area when status is 'optimal'). Hard rules: same area, capacity; fixed schools keep their
    officer unless `allow_moves`. Each area is solved on its own, in the time the earlier ones left."""
    started = time.perf_counter()
    deadline = started + time_limit
    officers_by_area = _group(officers)
    assignments: dict[int, int] = {}
    notes: list[str] = []
    objective = bound = 0.0
    statuses = []
    for area, area_schools in sorted(_group(schools).items()):
        area_officers = officers_by_area.get(area)
        if not area_officers:
            continue
        result = _solve_area(
            area_schools,
            area_officers,
            k=k,
            allow_moves=allow_moves,
            stability_km=stability_km,
            time_limit=deadline - time.perf_counter(),
            gap_target=gap_target,
            threads=threads,
        )
        assignments.update(result.assignments)
        objective += result.objective
        bound += result.bound
        statuses.append(result.status)
        notes.extend(note for note in result.notes if note not in notes)
    gap = max(0.0, objective - bound) / abs(objective) if objective else 0.0
    return _finish(
        schools,
        officers,
        assignments,
        method="milp",
        seconds=time.perf_counter() - started,
        gap=gap if math.isfinite(gap) else None,
        status="optimal" if all(s == "optimal" for s in statuses) else "time limit reached",
        notes=notes,
    )
