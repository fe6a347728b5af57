"""Models of the assessment app: the daily rollups dashboards read, the facts they are read
off, the cursor of the job that keeps them current, and the monthly scores with their
schemes, adjustments and sign-offs. Import them from here."""

from assessment.models.facts import EventFact
from assessment.models.rollups import (
    DepartmentDay,
    GridDay,
    GridDayTotal,
    RegionFigures,
    RollupCursor,
    WorkerDay,
)
from assessment.models.scores import (
    MonthlyScore,
    ScoreAdjustment,
    ScoreScheme,
    ScoreSignOff,
)

__all__ = [
    "DepartmentDay",
    "EventFact",
    "GridDay",
    "GridDayTotal",
    "MonthlyScore",
    "RegionFigures",
    "RollupCursor",
    "ScoreAdjustment",
    "ScoreScheme",
    "ScoreSignOff",
    "WorkerDay",
]
