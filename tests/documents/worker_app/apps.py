import os
import time
from pathlib import Path

from django.apps import AppConfig


class WorkerTestAppConfig(AppConfig):
    """Loaded only by the worker processes the document tests start."""

    name = "tests.documents.worker_app"
    label = "documents_worker_test"

    def ready(self):
        from documents import pipeline
        from tests.documents import kinds

        kinds.register_all()
        marker = os.environ.get("DOCUMENTS_TEST_SLOW_MARKER")
        if marker:
            # Holds every render while the marker file exists, so the test can
            # kill the worker in the middle of one.
            original = pipeline.render_pdf

            def slow_render_pdf(*args, **kwargs):
                deadline = time.monotonic() + 60
                while Path(marker).exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                return original(*args, **kwargs)

            pipeline.render_pdf = slow_render_pdf
