"""The schema fuzz's tally (tests/gridgov/test_schema_fuzz.py): how many requests it sent to
how many operations, and how many distinct server errors and schema violations it met,
printed at the end of the run so that CI logs show it.

Under pytest-xdist each worker counts its own share and hands it to the controller, which
adds them up and prints one line. The controller collects no tests, so it loads no
conftest below tests/: this is a plugin, named by tests/conftest.py, so both sides load it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

TALLY = pytest.StashKey["FuzzTally"]()
WORKER_OUTPUT = "gridgov_schema_fuzz"


@dataclass
class FuzzTally:
    requests: int = 0
    operations: set[str] = field(default_factory=set)
    by_caller: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)  # (caller, "2xx"/"4xx"/…) → count
    server_errors: set[tuple] = field(default_factory=set)
    violations: set[tuple] = field(default_factory=set)

    def sent(self, operation: str, caller: str) -> None:
        self.requests += 1
        self.operations.add(operation)
        self.by_caller[caller] += 1

    def answered(self, caller: str, status: int) -> None:
        self.statuses[(caller, f"{status // 100}xx")] += 1

    def failed(self, *, server_errors: set[tuple], violations: set[tuple]) -> None:
        """Distinct failures, so that Hypothesis's replays while shrinking count once."""
        self.server_errors |= server_errors
        self.violations |= violations

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "operations": sorted(self.operations),
            "by_caller": dict(self.by_caller),
            "statuses": [[*key, count] for key, count in self.statuses.items()],
            "server_errors": sorted(self.server_errors),
            "violations": sorted(self.violations),
        }

    def add(self, other: dict) -> None:
        self.requests += other["requests"]
        self.operations.update(other["operations"])
        self.by_caller.update(other["by_caller"])
        self.statuses.update({(caller, kind): count for caller, kind, count in other["statuses"]})
        self.server_errors.update(tuple(item) for item in other["server_errors"])
        self.violations.update(tuple(item) for item in other["violations"])

    def summary(self) -> list[str]:
        lines = [
            f"schema fuzz: {self.requests} requests, {len(self.operations)} operations, "
            f"{len(self.server_errors)} server errors, {len(self.violations)} schema violations"
        ]
        for caller, count in sorted(self.by_caller.items()):
            answers = ", ".join(
                f"{kind} {n}" for (who, kind), n in sorted(self.statuses.items()) if who == caller
            )
            lines.append(f"  as {caller}: {count} requests ({answers})")
        return lines


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TALLY] = FuzzTally()


@pytest.fixture(scope="session")
def fuzz_tally(pytestconfig: pytest.Config) -> FuzzTally:
    return pytestconfig.stash[TALLY]


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)  # set on xdist workers
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT] = session.config.stash[TALLY].as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist controller: add up a finished worker's tally."""
    share = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
    if share:
        node.config.stash[TALLY].add(share)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    tally = config.stash.get(TALLY, None)
    if tally is not None and tally.requests:
        terminalreporter.write_sep("-", "schema fuzz")
        for line in tally.summary():
            terminalreporter.write_line(line)
        for label, caller, title in sorted(tally.server_errors | tally.violations)[:50]:
            terminalreporter.write_line(f"  {label} as {caller}: {title}")
