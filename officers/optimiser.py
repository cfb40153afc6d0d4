"""Propose named officers for an area's schools: a generalised assignment problem solved as a mixed-integer programme.

Each school may go to one of its K nearest eligible officers (same BCU, active). The objective covers schools first
(each school carries a coverage bonus larger than any distance, scaled by its priority) and then minimises total
straight-line distance from officer base to school, subject to each officer's remaining weighted capacity. Current
assignments stay fixed; with `allow_moves` they become choices too, and keeping one is worth `stability_km`, so a move
must save more than that distance. HiGHS (through SciPy's `milp`) solves it within a time limit and reports the gap.

Pure Python data in, data out: no database here, so the benchmark and tests can call it directly.
"""

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

EARTH_RADIUS_KM = 6371.0088
# Three primal heuristics that cost more than they find on these assignment problems: without them HiGHS reached the
# same optimal plans about 2.5 times faster on the benchmark's BCU-sized areas (bench/bench_optimiser.py).
HIGHS_OPTIONS = {
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
}


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
    uncovered: dict[int, str]  # urn -> why
    total_km: float
    loads: dict[int, int]
    gap: float | None = None
    seconds: float = 0.0
    status: str = ""
    method: str = ""
    notes: list[str] = field(default_factory=list)


def _distance(school: SchoolIn, officer: OfficerIn) -> float:
    return float(haversine_km(school.latitude, school.longitude, officer.latitude, officer.longitude))


def _finish(schools, officers, assignments, *, method, seconds, gap=None, status="", notes=None) -> Plan:
    by_id = {o.id: o for o in officers}
    loads = {o.id: 0 for o in officers}
    new, moves, uncovered, total = {}, {}, {}, 0.0
    eligible_areas = {o.area for o in officers}
    for school in schools:
        officer_id = assignments.get(school.urn)
        if officer_id is None:
            uncovered[school.urn] = (
                "no active officer serves this school's BCU"
                if school.area not in eligible_areas
                else "not enough officer capacity in the BCU"
            )
            continue
        loads[officer_id] += school.weight
        total += _distance(school, by_id[officer_id])
        if school.current_officer is None:
            new[school.urn] = officer_id
        elif school.current_officer != officer_id:
            moves[school.urn] = (school.current_officer, officer_id)
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


def _candidates(schools, officers, k):
    """For each school, its k nearest officers in the same area: (school index, officer index, km)."""
    by_area: dict[str, list[int]] = {}
    for j, officer in enumerate(officers):
        by_area.setdefault(officer.area, []).append(j)
    pairs = []
    for area, school_idx in _group(schools).items():
        officer_idx = by_area.get(area)
        if not officer_idx:
            continue
        s_lat = np.array([schools[i].latitude for i in school_idx])[:, None]
        s_lon = np.array([schools[i].longitude for i in school_idx])[:, None]
        o_lat = np.array([officers[j].latitude for j in officer_idx])[None, :]
        o_lon = np.array([officers[j].longitude for j in officer_idx])[None, :]
        km = haversine_km(s_lat, s_lon, o_lat, o_lon)
        keep = min(k, len(officer_idx))
        nearest = np.argsort(km, axis=1)[:, :keep]
        for row, i in enumerate(school_idx):
            chosen = set(nearest[row].tolist())
            current = schools[i].current_officer
            for col, j in enumerate(officer_idx):
                # A school's current officer is always a candidate, so keeping it is possible.
                if col in chosen or officers[j].id == current:
                    pairs.append((i, j, float(km[row, col])))
    return pairs


def _group(schools):
    groups: dict[str, list[int]] = {}
    for i, school in enumerate(schools):
        groups.setdefault(school.area, []).append(i)
    return groups


def optimise(
    schools: list[SchoolIn],
    officers: list[OfficerIn],
    *,
    k: int = 8,
    allow_moves: bool = False,
    stability_km: float = 2.0,
    time_limit: float = 20.0,
    gap_target: float = 0.001,
) -> Plan:
    """The best plan HiGHS finds in `time_limit` seconds (proved within `gap_target` of optimal when status is
    'optimal'). Hard rules: same area, capacity; fixed schools keep their officer unless `allow_moves`."""
    started = time.perf_counter()
    officer_index = {o.id: j for j, o in enumerate(officers)}
    fixed_load = np.zeros(len(officers))
    assignments: dict[int, int] = {}
    free: list[int] = []
    notes = []
    for i, school in enumerate(schools):
        if school.current_officer is not None and school.current_officer in officer_index and not allow_moves:
            assignments[school.urn] = school.current_officer
            fixed_load[officer_index[school.current_officer]] += school.weight
        else:
            free.append(i)
    free_schools = [schools[i] for i in free]
    pairs = _candidates(free_schools, officers, k)
    if not pairs:
        return _finish(
            schools,
            officers,
            assignments,
            method="milp",
            seconds=time.perf_counter() - started,
            gap=0.0,
            status="optimal",
            notes=notes,
        )

    rows = np.array([p[0] for p in pairs])
    cols = np.array([p[1] for p in pairs])
    km = np.array([p[2] for p in pairs])
    weights = np.array([free_schools[i].weight for i in rows], dtype=float)
    keeps = np.array([free_schools[i].current_officer == officers[j].id for i, j in zip(rows, cols, strict=True)])
    # Each school is covered by one candidate or left uncovered through a slack variable whose cost (more than twice
    # the longest candidate trip, times the school's priority) makes coverage come first in practice. With the
    # slack form the objective is the travel distance itself once every school is covered, so HiGHS's relative
    # gap is a gap on distance (a form with a negative coverage bonus made the gap meaningless and HiGHS crawl).
    uncovered_cost = (2 * (km.max() + stability_km) + 10.0) * np.array([s.priority for s in free_schools], float)
    cost = np.concatenate([km - np.where(keeps, stability_km, 0.0), uncovered_cost])

    n, m = len(pairs), len(free_schools)
    one_officer = csr_array(
        (np.ones(n + m), (np.concatenate([rows, np.arange(m)]), np.arange(n + m))), shape=(m, n + m)
    )
    capacity = csr_array((weights, (cols, np.arange(n))), shape=(len(officers), n + m))
    remaining = np.array([o.capacity for o in officers], dtype=float) - fixed_load
    if (remaining < 0).any():
        notes.append("Some officers are already over capacity through their current schools.")
    constraints = [
        LinearConstraint(one_officer, 1, 1),
        LinearConstraint(capacity, -np.inf, np.maximum(remaining, 0)),
    ]
    with warnings.catch_warnings():
        # SciPy passes HiGHS options it does not list itself through verbatim, and warns that it does so.
        warnings.filterwarnings("ignore", message="Unrecognized options detected", category=RuntimeWarning)
        result = milp(
            cost,
            constraints=constraints,
            integrality=np.concatenate([np.ones(n), np.zeros(m)]),
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit, "mip_rel_gap": gap_target, "presolve": True, **HIGHS_OPTIONS},
        )
    if result.x is None:
        notes.append(f"The solver found no plan in time ({result.message}).")
        return _finish(
            schools,
            officers,
            assignments,
            method="milp",
            seconds=time.perf_counter() - started,
            gap=None,
            status="no solution",
            notes=notes,
        )
    chosen = np.flatnonzero(result.x[:n] > 0.5)
    for p in chosen:
        assignments[free_schools[rows[p]].urn] = officers[cols[p]].id
    gap = _distance_gap(result, cost, km, chosen)
    status = "optimal" if result.status == 0 else "time limit reached"
    return _finish(
        schools,
        officers,
        assignments,
        method="milp",
        seconds=time.perf_counter() - started,
        gap=gap,
        status=status,
        notes=notes,
    )


def _distance_gap(result, cost, km, chosen) -> float:
    """The proven gap: how far the plan's objective (distance, plus any uncovered cost) may be above the optimum."""
    dual_bound = getattr(result, "mip_dual_bound", None)
    if dual_bound is None or not math.isfinite(dual_bound) or not result.fun:
        return float(getattr(result, "mip_gap", 0.0) or 0.0)
    return max(0.0, float(result.fun) - float(dual_bound)) / abs(float(result.fun))


def greedy(schools: list[SchoolIn], officers: list[OfficerIn], **_ignored) -> Plan:
    """The simple choice: schools by priority then weight, each to its nearest officer with room (baseline only)."""
    started = time.perf_counter()
    room = {o.id: o.capacity for o in officers}
    assignments: dict[int, int] = {}
    for school in schools:
        if school.current_officer is not None and school.current_officer in room:
            assignments[school.urn] = school.current_officer
            room[school.current_officer] -= school.weight
    by_area: dict[str, list[OfficerIn]] = {}
    for officer in officers:
        by_area.setdefault(officer.area, []).append(officer)
    waiting = [s for s in schools if s.urn not in assignments]
    waiting.sort(key=lambda s: (-s.priority, -s.weight, s.urn))
    for school in waiting:
        options = sorted(by_area.get(school.area, []), key=lambda o: _distance(school, o))
        for officer in options:
            if room[officer.id] >= school.weight:
                assignments[school.urn] = officer.id
                room[officer.id] -= school.weight
                break
    return _finish(schools, officers, assignments, method="greedy", seconds=time.perf_counter() - started)
