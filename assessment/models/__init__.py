"""Models of the assessment app: the daily rollups dashboards read, and the cursor of the
job that keeps them current. Import them from here."""

from assessment.models.rollups import DepartmentDay, GridDay, RollupCursor, WorkerDay

__all__ = ["DepartmentDay", "GridDay", "RollupCursor", "WorkerDay"]
