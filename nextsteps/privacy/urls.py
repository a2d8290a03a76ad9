from django.urls import path

from nextsteps.privacy import views

app_name = "privacy"

urlpatterns = [
    path("persons/<int:pk>/consents/", views.consents, name="consents"),
    path("persons/<int:pk>/consents/new/", views.consent_add, name="consent-add"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("data-protection/", views.rights, name="rights"),
    path("data-protection/persons/<int:pk>/", views.rights_person, name="rights-person"),
    path("data-protection/persons/<int:pk>/export/", views.rights_export, name="rights-export"),
    path("data-protection/persons/<int:pk>/erase/", views.rights_erase, name="rights-erase"),
    path(
        "data-protection/volunteers/<int:pk>/export/",
        views.rights_volunteer_export,
        name="rights-volunteer-export",
    ),
    path(
        "data-protection/volunteers/<int:pk>/erase/",
        views.rights_volunteer_erase,
        name="rights-volunteer-erase",
    ),
]
