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
