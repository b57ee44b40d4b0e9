"""WSGI entry point, served by `clientela serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

from clientela.core.memory import settle_heap, settle_heap_after_warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
application = get_wsgi_application()

# The loaded app is out of the garbage collector's reach (core.memory.settle_heap), and what
# the first requests load is put there too once they have been answered.
settle_heap()
settle_heap_after_warm_up()
