"""What other subjects read from planning."""

from .health import attach_health, formula, health_for, project_health  # noqa: F401
from .reports import monthly_draft, weekly_draft  # noqa: F401
from .risks import open_risks, project_top_risks, top_risks  # noqa: F401
