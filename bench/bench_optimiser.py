"""Officer optimiser benchmark: time, optimality gap and total distance against greedy.

London scale: ≈3,000 schools and ≈400 officers in 12 BCUs. National scale (--national): ≈24,000 schools and ≈3,000
officers in generated police areas of BCU size. Each area is solved on its own (the BCU rule separates them), as the
allocator's page does. Synthetic data with a fixed seed, weights 10/20/25 and capacities leaving about 10% slack
overall. Two geographies: `clustered` (the default): schools cluster around town centres and each officer has a base of
their own near them; `stations`: schools spread evenly and officers work several to a police station, four per area.

    .venv/bin/python bench/bench_optimiser.py [--national] [--geography stations] [--k 8] [--time-limit 10]

Besides the wall-clock time it prints the CPU time the solves used (summed over the workers): on a machine shared with
other work, CPU time is what the optimiser costs, and wall time is what the allocator waits.
"""

import argparse
import math
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from officers.optimiser import OfficerIn, SchoolIn, greedy, optimise  # noqa: E402


def _solve(schools, officers, *, k, time_limit):
    cpu = time.process_time()
    plan = optimise(schools, officers, k=k, time_limit=time_limit)
    return plan, time.process_time() - cpu


def generate(*, areas: int, schools: int, officers: int, seed: int = 7, slack: float = 0.10, geography="clustered"):
    if geography == "stations":
        return generate_stations(areas=areas, schools=schools, officers=officers, seed=seed, slack=slack)
    rng = random.Random(seed)
    school_list, officer_list = [], []
    for a in range(areas):
        # Areas tile a grid of ≈ 12 km squares around London's latitude.
        lat0 = 51.3 + (a // 10) * 0.11
        lon0 = -0.5 + (a % 10) * 0.17
        centres = [(lat0 + rng.random() * 0.11, lon0 + rng.random() * 0.17) for _ in range(6)]
        n_schools = schools // areas
        n_officers = officers // areas
        area_schools = []
        for i in range(n_schools):
            c = rng.choice(centres)
            area_schools.append(
                SchoolIn(
                    urn=a * 100000 + i,
                    area=str(a),
                    latitude=c[0] + rng.gauss(0, 0.02),
                    longitude=c[1] + rng.gauss(0, 0.03),
                    weight=rng.choices([10, 20, 25], weights=[70, 22, 8])[0],
                    priority=2 if rng.random() < 0.05 else 1,
                )
            )
        load = sum(s.weight for s in area_schools)
        capacity_each = math.ceil(load * (1 + slack) / n_officers)
        for j in range(n_officers):
            c = centres[j % len(centres)]
            officer_list.append(
                OfficerIn(
                    id=a * 1000 + j,
                    area=str(a),
                    latitude=c[0] + rng.gauss(0, 0.01),
                    longitude=c[1] + rng.gauss(0, 0.015),
                    capacity=rng.randint(int(capacity_each * 0.8), int(capacity_each * 1.2)),
                )
            )
        school_list.extend(area_schools)
    return school_list, officer_list


def generate_stations(
    *, areas: int, schools: int, officers: int, seed: int = 7, slack: float = 0.10, stations: int = 4
):
    """The other geography: schools spread evenly over each area (as in most of London), officers working from
    `stations` police stations per area, several officers at each (the same base coordinates)."""
    rng = random.Random(seed)
    school_list, officer_list = [], []
    for a in range(areas):
        lat0 = 51.3 + (a // 10) * 0.11
        lon0 = -0.5 + (a % 10) * 0.17
        area_schools = [
            SchoolIn(
                urn=a * 100000 + i,
                area=str(a),
                latitude=lat0 + rng.random() * 0.11,
                longitude=lon0 + rng.random() * 0.17,
                weight=rng.choices([10, 20, 25], weights=[70, 22, 8])[0],
                priority=2 if rng.random() < 0.05 else 1,
            )
            for i in range(schools // areas)
        ]
        bases = [(lat0 + rng.random() * 0.11, lon0 + rng.random() * 0.17) for _ in range(stations)]
        n_officers = officers // areas
        capacity_each = math.ceil(sum(s.weight for s in area_schools) * (1 + slack) / n_officers)
        for j in range(n_officers):
            base = bases[j % stations]
            officer_list.append(
                OfficerIn(
                    id=a * 1000 + j,
                    area=str(a),
                    latitude=base[0],
                    longitude=base[1],
                    capacity=rng.randint(int(capacity_each * 0.8), int(capacity_each * 1.2)),
                )
            )
        school_list.extend(area_schools)
    return school_list, officer_list


def run(
    name: str,
    *,
    areas: int,
    schools: int,
    officers: int,
    k: int,
    time_limit: float,
    workers: int,
    slack: float = 0.10,
    geography: str = "clustered",
) -> dict:
    school_list, officer_list = generate(
        areas=areas, schools=schools, officers=officers, slack=slack, geography=geography
    )
    by_area_s, by_area_o = {}, {}
    for s in school_list:
        by_area_s.setdefault(s.area, []).append(s)
    for o in officer_list:
        by_area_o.setdefault(o.area, []).append(o)
    started = time.perf_counter()
    totals = {"km": 0.0, "covered": 0, "greedy_km": 0.0, "greedy_covered": 0, "worst_gap": 0.0, "limits": 0}
    areas_sorted = sorted(by_area_s)
    solve = partial(_solve, k=k, time_limit=time_limit)
    args = ([by_area_s[a] for a in areas_sorted], [by_area_o.get(a, []) for a in areas_sorted])
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(solve, *args))
    else:
        results = list(map(solve, *args))
    seconds = time.perf_counter() - started
    cpu_seconds = sum(cpu for _plan, cpu in results)
    greedy_started = time.perf_counter()
    baselines = [greedy(by_area_s[a], by_area_o.get(a, [])) for a in areas_sorted]
    greedy_seconds = time.perf_counter() - greedy_started
    for plan, base in zip((plan for plan, _cpu in results), baselines, strict=True):
        totals["km"] += plan.total_km
        totals["covered"] += len(plan.assignments)
        totals["greedy_km"] += base.total_km
        totals["greedy_covered"] += len(base.assignments)
        totals["worst_gap"] = max(totals["worst_gap"], plan.gap or 0.0)
        totals["limits"] += plan.status != "optimal"
    saving = 1 - totals["km"] / totals["greedy_km"] if totals["greedy_km"] else 0.0
    print(
        f"{name} ({geography}): {len(school_list):,} schools, {len(officer_list):,} officers, {areas} areas, "
        f"K={k}, {workers} worker(s), capacity slack {100 * slack:.0f}%\n"
        f"  optimiser: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU in the solves; greedy {greedy_seconds:.1f} s\n"
        f"  worst gap {100 * totals['worst_gap']:.2f}% of distance, "
        f"{totals['limits']} areas stopped at the {time_limit:g} s limit\n"
        f"  covered: optimiser {totals['covered']:,}, greedy {totals['greedy_covered']:,}\n"
        f"  total distance: optimiser {totals['km']:,.0f} km, greedy {totals['greedy_km']:,.0f} km "
        f"({100 * saving:.1f}% less travel); per covered school {totals['km'] / max(1, totals['covered']):.2f} km "
        f"vs {totals['greedy_km'] / max(1, totals['greedy_covered']):.2f} km"
    )
    return totals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", action="store_true")
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="areas solved in parallel (the BCU rule separates them)")
    parser.add_argument("--slack", type=float, default=0.10, help="total capacity above total load (0.10: 10%%)")
    parser.add_argument(
        "--geography",
        choices=["clustered", "stations"],
        default="clustered",
        help="clustered: schools round six town centres per area, each officer based on their own; stations: schools "
        "spread evenly, officers four police stations per area, several at each",
    )
    args = parser.parse_args()
    common = {
        "k": args.k,
        "time_limit": args.time_limit,
        "workers": args.workers,
        "slack": args.slack,
        "geography": args.geography,
    }
    run("London", areas=12, schools=3000, officers=400, **common)
    if args.national:
        run("National", areas=96, schools=24000, officers=3000, **common)


if __name__ == "__main__":
    main()
