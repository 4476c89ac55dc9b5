from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func) -> int:
    """How many SQL queries one call makes."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def run_at_once(func, *, times: int = 2, timeout: float = 60) -> list:
    """Call `func` from `times` threads released at the same moment (two beats, two sweepers,
    two people pressing one button), each on its own connection; return what each returned.
    An exception in a thread fails the test here."""
    import threading

    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(func())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == [], errors
    return results
