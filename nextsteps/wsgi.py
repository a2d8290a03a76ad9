import os

from django.core.wsgi import get_wsgi_application

from nextsteps.privacy.permissions import keep_new_files_private

keep_new_files_private()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextsteps.settings")
application = get_wsgi_application()

# Servers do not run Django's system checks: refuse to serve without usable encryption keys all the same.
from nextsteps.privacy.checks import refuse_to_start_without_keys  # noqa: E402
from nextsteps.privacy.deploychecks import refuse_to_serve_with_the_public_key  # noqa: E402

refuse_to_start_without_keys()
refuse_to_serve_with_the_public_key()

# The URLs are imported here, not on the first request: gunicorn preloads this module once and forks its
# workers from it (deploy/gunicorn.conf.py), so no worker pays their import (the API's schemas: most of a
# second). Nothing above may leave a database connection open to be shared by the forked workers.
from django.db import connections  # noqa: E402

import nextsteps.urls  # noqa: E402, F401

connections.close_all()
