from celery import shared_task
from django.db import connection


@shared_task
def ping(payload: str) -> dict:
    """Round trip used by the health checks and the worker test: proves the
    worker runs our code with our settings and reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"echo": payload, "database": connection.vendor, "db_ok": one == 1}
