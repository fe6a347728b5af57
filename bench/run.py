"""Run every benchmark in bench/ against a scratch SQLite database (or DATABASE_URL) and
print ratios; the results also go to a JSON file, bench/results/latest.json by default.

Speed goals are ratios against a reference measured in the same run (never absolute times:
machines differ). Usage: ``python bench/run.py [--results PATH] [name ...]``. The JSON
keeps one entry per benchmark (its results, when and on which database it ran): running
some benchmarks replaces their entries and keeps the others'.

Every bench seeds its own data: the database is emptied (``flush``) before each one,
unless the bench reuses the previous one's (``shares_database()``: the ticket API and
deadline benches reuse the open city that ``city`` wrote). Only a database whose name
contains "bench" is ever emptied (the scratch SQLite file, or e.g. ``gridgov_bench``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCHES = [
    "locate",
    "ledger_balances",
    "forecast",
    "assessment",
    "city",
    "tickets_api",
    "deadlines",
]
ROOT = Path(__file__).resolve().parent.parent


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        # Ratios far below 1 keep their first digits (0.0046, not 0.00).
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"
    return f"{value:,}"


def _record(path: Path, name: str, vendor: str, results: dict) -> None:
    found = json.loads(path.read_text()) if path.exists() else {}
    found[name] = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "results": results,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=2, ensure_ascii=False, default=str) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "bench/results/latest.json")
    parser.add_argument("names", nargs="*", metavar="name", help=", ".join(BENCHES))
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.mkdtemp(prefix="gridgov-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment-1234567890")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from bench.load import ERRORS

    call_command("migrate", verbosity=0)
    scratch_database = "bench" in str(connection.settings_dict["NAME"])
    failed = []
    for name in args.names or BENCHES:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        shares = getattr(module, "shares_database", lambda: False)()
        if not shares:
            # Each bench seeds its own city; two cities would overlap (the same codes and
            # places), with another run's left behind too. Only a bench database is emptied.
            if scratch_database:
                call_command("flush", interactive=False, verbosity=0)
                for seeding in ("bench.assessment_seed", "bench.city"):
                    if seeding in sys.modules:
                        sys.modules[seeding].forget()
            else:
                print(f"  not emptied: {connection.settings_dict['NAME']} is no bench database")
        started = time.perf_counter()
        results = module.run()
        for key, value in results.items():
            print(f"  {key:<48} {_shown(value)}")
        print(f"  ({name} took {time.perf_counter() - started:,.1f} s)", flush=True)
        _record(args.results, name, connection.vendor, results)
        if results.get(ERRORS):
            failed.append(name)
    print(f"results written to {args.results}")
    if failed:
        # Figures of a run whose server failed are no measurement (errors answer fast).
        print(f"FAILED: answers outside 2xx in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
