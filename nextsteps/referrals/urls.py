from django.urls import path

from nextsteps.referrals import export_views, views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.index, name="index"),
    path("referrals/export/", export_views.export, name="export"),
    path("referrals/<int:pk>/", views.detail, name="detail"),
    path("referrals/<int:pk>/accept/", views.accept, name="accept"),
    path("referrals/<int:pk>/decline/", views.decline, name="decline"),
    path("referrals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("referrals/<int:pk>/complete/", views.complete, name="complete"),
    path("referrals/<int:pk>/service/", views.service, name="service"),
    path("referrals/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("cases/<int:pk>/refer/", views.refer, name="refer"),
]
