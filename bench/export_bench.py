"""Coordinator workbook benchmark: how long the XLSX of every report table takes, per
organisation level, to choose which ones the worker prepares (REPORT_EXPORT_QUEUE_LEARNERS).

    python bench/export_bench.py [--size M] [--database-url URL] [--skip-generate]

Generates the data set (bench/generate.py; the database is emptied first, and on PostgreSQL
analysed, as autovacuum would soon do) unless --skip-generate, then for the region, the largest board and the largest school times the
report's queries and writing the workbook (``lms.reports.exports.report_workbook``), three
times each (the best run counts: the machine is shared), wall-clock and CPU seconds.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def measure(app, org_id: int) -> tuple[int, float, float, int]:
    """(learners covered, best wall seconds, best CPU seconds, workbook bytes)."""
    from lms.extensions import db
    from lms.models import Organisation
    from lms.reports.exports import learners_covered, report_workbook

    with app.test_request_context():
        org = db.session.get(Organisation, org_id)
        learners = learners_covered(org_id)
        best_wall = best_cpu = float("inf")
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            _name, body = report_workbook(org, date.today())
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    return learners, best_wall, best_cpu, len(body)


def levels(app) -> list[tuple[str, int]]:
    """The region, its board with the most learners and the school with the most learners."""
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.models import Organisation, RoleAssignment

    with app.app_context():
        region = db.session.scalar(select(Organisation.id).where(Organisation.parent_id.is_(None))
                                   .order_by(Organisation.id))
        per_school = {org: n for org, n in db.session.execute(
            select(RoleAssignment.organisation_id, func.count())
            .where(RoleAssignment.role == "learner").group_by(RoleAssignment.organisation_id))}
        school = max(per_school, key=per_school.get)
        board = db.session.get(Organisation, school).parent_id
    return [("region", region), ("board", board), ("school", school)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", default="/tmp/leerpad-export-bench", type=Path)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{args.data_dir / f'bench-{args.size}.sqlite'}"
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if not args.skip_generate:
        from generate import generate

        generate(args.size, url, reset=True)
        if url.startswith("postgres"):  # planner statistics, as autovacuum would make them
            import sqlalchemy as sa

            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                      isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("ANALYZE"))
            engine.dispose()
    from lms import create_app

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": args.data_dir / "instance",
                      "SECRET_KEY": "bench-secret"})
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    print("| database | size | level | learners | workbook (best of 3) | CPU | bytes |")
    print("|---|---|---|---:|---:|---:|---:|")
    for level, org_id in levels(app):
        learners, wall, cpu, size = measure(app, org_id)
        print(f"| {kind} | {args.size} | {level} | {learners:,} | {wall:.2f} s | {cpu:.2f} s | "
              f"{size:,} |", flush=True)
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
