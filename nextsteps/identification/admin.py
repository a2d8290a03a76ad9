"""The identification lists are set-up: edited by operators in the admin, like the records' managed lists."""

from django.contrib import admin

from nextsteps.audit.admin import AuditedAdmin
from nextsteps.identification import models as m

for managed in (
    m.ExploitationType,
    m.LabourSector,
    m.RecruitmentMethod,
    m.RecruiterRelationship,
    m.ControlMeans,
    m.ReferralSource,
):
    admin.site.register(
        managed,
        AuditedAdmin,
        list_display=["code", "label_en", "label_nl", "label_ro", "order", "active"],
        list_editable=["order", "active"],
    )
