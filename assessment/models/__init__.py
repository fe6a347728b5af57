"""Models of the assessment app: the daily rollups dashboards read, the cursor of the job
that keeps them current, and the monthly scores with their schemes, adjustments and
sign-offs. Import them from here."""

from assessment.models.rollups import DepartmentDay, GridDay, RollupCursor, WorkerDay
from assessment.models.scores import (
    MonthlyScore,
    ScoreAdjustment,
    ScoreScheme,
    ScoreSignOff,
)

__all__ = [
    "DepartmentDay",
    "GridDay",
    "MonthlyScore",
    "RollupCursor",
    "ScoreAdjustment",
    "ScoreScheme",
    "ScoreSignOff",
    "WorkerDay",
]
