from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func) -> int:
    """How many SQL queries one call makes."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)
