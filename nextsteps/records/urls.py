from django.urls import path

from nextsteps.records import duplicate_views, export_views, views
from nextsteps.records.kinds import KINDS

app_name = "records"

urlpatterns = [
    path("visits/round/", views.outreach_round, name="outreach-round"),
    path("cases/<int:pk>/services/new/", views.case_service, name="case-service"),
    path("persons/duplicates/", duplicate_views.duplicates, name="person-duplicates"),
    path("persons/duplicates/export/", duplicate_views.duplicates_export, name="person-duplicates-export"),
    path("volunteers/<int:pk>/hours/", views.volunteer_hours, name="volunteer-hours"),
    path("volunteers/waiting/", views.volunteers_waiting, name="volunteers-waiting"),
    path("persons/duplicates/<int:keep>/<int:other>/merge/", duplicate_views.merge, name="person-merge"),
]
for kind in KINDS.values():
    urlpatterns += [
        path(f"{kind.slug}/", views.record_list, {"kind": kind.key}, name=f"{kind.key}-list"),
        path(
            f"{kind.slug}/export/", export_views.record_export, {"kind": kind.key}, name=f"{kind.key}-export"
        ),
        path(f"{kind.slug}/new/", views.record_create, {"kind": kind.key}, name=f"{kind.key}-create"),
        path(f"{kind.slug}/<int:pk>/", views.record_detail, {"kind": kind.key}, name=f"{kind.key}-detail"),
        path(f"{kind.slug}/<int:pk>/edit/", views.record_edit, {"kind": kind.key}, name=f"{kind.key}-edit"),
        path(
            f"{kind.slug}/<int:pk>/delete/",
            views.record_delete,
            {"kind": kind.key},
            name=f"{kind.key}-delete",
        ),
    ]
