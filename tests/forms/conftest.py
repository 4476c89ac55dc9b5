from tests.aftersales.conftest import accepted  # noqa: F401  (shared fixtures)
from tests.projects.conftest import confirmed, dispatched, project, upload  # noqa: F401
