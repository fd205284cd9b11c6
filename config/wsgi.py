"""The WSGI application gunicorn serves (the image and `make run`). The project has no ASGI
entry point: nothing in it is asynchronous, and gunicorn's sync workers are what is measured."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
