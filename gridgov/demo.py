"""The registry of ``manage.py seed_demo`` steps.

Every app that has demo data puts a ``demo.py`` module beside its models and registers its
steps with :func:`register`; the command discovers those modules, runs the steps in
``order`` and hands each one a :class:`DemoContext`. Steps must be idempotent: a second run
finds its rows by code (or username) and changes nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import module_has_submodule

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo password

ProgressFn = Callable[[str, int, int], None]


@dataclass
class DemoContext:
    """What every seeding step gets: the options, a way to report, and a shared scratch pad."""

    password: str = DEFAULT_PASSWORD
    tickets: int = 0
    progress: ProgressFn = lambda label, done, total: None
    say: Callable[[str], None] = lambda line: None
    # Filled by steps for later steps (e.g. "district" → District) and for the summary.
    data: dict[str, Any] = field(default_factory=dict)
    # label → {"created": n, "updated": n, "unchanged": n}
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, label: str, outcome: str, n: int = 1) -> None:
        bucket = self.counts.setdefault(label, {"created": 0, "updated": 0, "unchanged": 0})
        bucket[outcome] += n


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    func: Callable[[DemoContext], None]
    app_label: str


_steps: dict[str, DemoStep] = {}


def register(name: str, *, order: int) -> Callable[[Callable[[DemoContext], None]], Any]:
    """Register a seeding step; lower ``order`` runs first (grids use 10–19, personnel 20–29,
    incidents 30–39, funding 40–49, participation 50–59, assessment 60–69)."""

    def decorator(func: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        app_label = func.__module__.split(".", 1)[0]
        _steps[name] = DemoStep(name=name, order=order, func=func, app_label=app_label)
        return func

    return decorator


def discover() -> None:
    """Import ``<app>.demo`` for every project app (not third-party ones) so they register."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != base:
            continue
        if module_has_submodule(config.module, "demo"):
            importlib.import_module(f"{config.name}.demo")


def demo_steps() -> list[DemoStep]:
    """Every registered step, in running order."""
    discover()
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def run_steps(ctx: DemoContext, steps: Iterable[DemoStep] | None = None) -> DemoContext:
    """Run the steps (all registered ones by default), each in its own transaction."""
    for step in demo_steps() if steps is None else steps:
        with transaction.atomic():
            step.func(ctx)
    return ctx
