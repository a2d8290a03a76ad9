"""The JSON API, version 1, at /api/v1/: records, indicator values and reports for programs.

See docs/api.md. The OpenAPI document is at /api/v1/openapi.json and its browsable form at /api/v1/docs,
served from the app's own static files (no CDN).
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from nextsteps.api import errors, programmes, records
from nextsteps.api.auth import TokenAuth
from nextsteps.casework import api as casework_api
from nextsteps.identification import api as identification_api
from nextsteps.referrals import api as referrals_api

DESCRIPTION = """\
Records, indicator values and reports of Next Steps, for programs that act as one user.

Authenticate every call with an API token of your own (made on the API tokens page of the web app, or by an
administrator with `nextsteps api-token create`): `Authorization: Bearer nst_…`. A signed-in browser session
does not count. You see and change exactly what you may in the web app: anything else answers 404.

Errors are JSON, `{"message": "…", "errors": {"field": ["…"]}}`, in the token user's language.
"""

api = NinjaAPI(
    title="Next Steps API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    # Swagger UI from ninja's bundled static files; without validatorUrl it would send the document's
    # address to validator.swagger.io, a third party.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", programmes.router)
api.add_router("/", records.router)
api.add_router("/", identification_api.router)
api.add_router("/", casework_api.router)
api.add_router("/", referrals_api.router)
