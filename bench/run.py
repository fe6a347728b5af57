"""Run every benchmark in bench/ against a scratch SQLite database and print ratios.

Speed goals are ratios against a reference measured in the same run (never absolute times:
machines differ). Usage: ``python bench/run.py [name ...]``.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

BENCHES = ["locate", "ledger_balances", "forecast", "assessment"]


def main(names: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    scratch = tempfile.mkdtemp(prefix="gridgov-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment-1234567890")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    for name in names or BENCHES:
        print(f"== {name}", flush=True)
        results = importlib.import_module(f"bench.{name}").run()
        for key, value in results.items():
            shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
            print(f"  {key:<40} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
