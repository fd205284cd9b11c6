"""Settings of the worker processes started by the document tests: the
project's, plus the test-only kinds, and short time limits so a render left
"en cours" by a killed worker is taken over within seconds."""

import os

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.documents.worker_app"]  # noqa: F405
DOCUMENTS_RENDER_TIME_LIMIT = int(os.environ.get("DOCUMENTS_RENDER_TIME_LIMIT", "20"))
DOCUMENTS_STALE_MARGIN = int(os.environ.get("DOCUMENTS_STALE_MARGIN", "1"))
