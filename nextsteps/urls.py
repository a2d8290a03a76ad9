from django.contrib import admin
from django.urls import include, path

from nextsteps.accounts.security import AdminSignInForm
from nextsteps.api.v1 import api
from nextsteps.audit import views as audit_views
from nextsteps.operations.health import health
from nextsteps.reports import views as report_views

# The admin's sign-in page counts failures and locks out like the app's: otherwise it is the way around it.
admin.site.login_form = AdminSignInForm
# A write that could not get the database in time answers 503 (try again), not 500: see nextsteps/busy.py.
handler500 = "nextsteps.busy.server_error"

urlpatterns = [
    path("", report_views.dashboard, name="home"),
    path("reports/", report_views.reports_page, name="reports"),
    path("reports/download/", report_views.report_download, name="report-download"),
    path("quality/", report_views.quality_page, name="quality"),
    path("audit/", audit_views.audit_trail, name="audit"),
    path("accounts/", include("nextsteps.accounts.urls")),
    path("team/", include("nextsteps.accounts.team_urls")),
    # Not under accounts/: pages there are open before a second factor is verified, and a token made
    # with a password alone would bypass the second factor for good.
    path("api-tokens/", include("nextsteps.api.urls")),
    path("api/v1/", api.urls),
    # Before the record pages: /cases/mine/ is a page of its own, not a case.
    path("", include("nextsteps.casework.urls")),
    path("", include("nextsteps.records.urls")),
    path("", include("nextsteps.privacy.urls")),
    path("", include("nextsteps.attachments.urls")),
    path("", include("nextsteps.identification.urls")),
    path("", include("nextsteps.referrals.urls")),
    path("", include("nextsteps.search.urls")),
    path("imports/", include("nextsteps.imports.urls")),
    path("programmes/", include("nextsteps.programmes.urls")),
    path("programmes/", include("nextsteps.indicators.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
