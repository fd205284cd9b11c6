import os
import time
from pathlib import Path

from django.apps import AppConfig


class WorkerTestAppConfig(AppConfig):
    """Loaded only by the worker processes the document tests start."""

    name = "tests.documents.worker_app"
    label = "documents_worker_test"

    def ready(self):
        from django.db import OperationalError

        from documents import pipeline
        from tests.documents import kinds

        kinds.register_all()
        original = pipeline.render_pdf
        slow_marker = os.environ.get("DOCUMENTS_TEST_SLOW_MARKER")
        flaky_marker = os.environ.get("DOCUMENTS_TEST_FLAKY_MARKER")
        if not (slow_marker or flaky_marker):
            return

        def test_render_pdf(*args, **kwargs):
            # Holds every render while the slow marker exists, so the test
            # can look at the document (or kill the worker) mid-render.
            deadline = time.monotonic() + 60
            while slow_marker and Path(slow_marker).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            # The first render after the flaky marker appears meets a
            # transient database error, as when the connection drops.
            if flaky_marker:
                try:
                    Path(flaky_marker).unlink()
                except FileNotFoundError:
                    pass
                else:
                    raise OperationalError("connexion à la base perdue (essai)")
            return original(*args, **kwargs)

        pipeline.render_pdf = test_render_pdf
