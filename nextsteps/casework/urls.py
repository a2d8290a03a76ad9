from django.urls import path

from nextsteps.casework import export_views, views

app_name = "casework"

urlpatterns = [
    path("cases/mine/", views.my_cases, name="mine"),
    path("cases/mine/export/", export_views.my_cases_export, name="mine-export"),
    path("cases/caseload/", views.caseload, name="caseload"),
    path("cases/caseload/export/", export_views.caseload_export, name="caseload-export"),
    path("cases/<int:pk>/file/", views.case_file, name="case"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("cases/<int:pk>/notes/new/", views.note_add, name="note-add"),
    path("cases/<int:pk>/follow-ups/new/", views.follow_up_add, name="follow-up-add"),
    path("cases/<int:pk>/assessments/new/", views.assessment_add, name="assessment-add"),
    path("cases/<int:pk>/goals/new/", views.goal_add, name="goal-add"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("goals/<int:pk>/actions/new/", views.planned_action_add, name="planned-action-add"),
    path("planned-actions/<int:pk>/service/", views.service_from_plan, name="service-from-plan"),
    path("follow-ups/<int:pk>/edit/", views.follow_up_edit, name="follow-up-edit"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal-edit"),
    path("planned-actions/<int:pk>/edit/", views.planned_action_edit, name="planned-action-edit"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
]
