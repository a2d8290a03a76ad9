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
from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

import nextsteps.urls  # noqa: E402, F401


def warm() -> None:
    """What a worker would otherwise build on its first requests, each time one is started or replaced: the
    templates compiled, and per language the translations and the URLs' reverse table."""
    for folder in sorted(Path(settings.BASE_DIR).glob("**/templates")):
        for path in sorted(folder.rglob("*.html")):
            get_template(str(path.relative_to(folder)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("home")


warm()
connections.close_all()
