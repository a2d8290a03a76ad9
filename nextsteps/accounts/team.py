"""The Team page: administrators add people to their organisations, give and take roles, deactivate
accounts and reset a lost second factor. Only their own organisations exist for them; any other is 404.

Not under /accounts/: those pages are open before the second factor is verified.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts import access, actions
from nextsteps.accounts.forms import NewUserForm, RoleForm, UserDetailsForm
from nextsteps.accounts.models import Membership, Role, User
from nextsteps.programmes.models import Organisation


def _organisations(request: HttpRequest) -> Any:
    return Organisation.objects.filter(pk__in=access.capability_organisations(request.user, access.USERS))


def _organisation_or_404(request: HttpRequest, slug: str) -> Organisation:
    return access.first_or_404(_organisations(request).filter(slug=slug))


def _member_or_404(organisation: Organisation, pk: int) -> User:
    return access.first_or_404(User.objects.filter(pk=pk, memberships__organisation=organisation).distinct())


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _members(organisation: Organisation) -> list[dict[str, Any]]:
    users = (
        User.objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(organisation=organisation).order_by("role"),
                to_attr="roles_here",
            )
        )
    )
    enrolled = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    return [
        {"user": u, "roles": [m.get_role_display() for m in u.roles_here], "second_factor": u.pk in enrolled}
        for u in users
    ]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    access.require(access.has(request.user, access.USERS))
    teams = [
        {"organisation": organisation, "members": _members(organisation)}
        for organisation in _organisations(request).order_by("name")
    ]
    return render(request, "accounts/team.html", {"teams": teams})


@login_required
def user_add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    form = NewUserForm(request.POST or None, initial={"language": getattr(request.user, "language", "en")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = data["password_choice"] == NewUserForm.GENERATE
        password = actions.generate_password() if generated else data["password1"]
        try:
            user = actions.create_user(
                acting_user=request.user,
                organisation=organisation,
                username=data["username"],
                language=data["language"],
                roles=data["roles"],
                password=password,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Messages of the password validators: they are about the chosen password.
                error = ValidationError({"password1": error.messages})
            _add_errors(form, error)
        else:
            messages.success(request, _("%(user)s was added.") % {"user": user.username})
            if not generated:
                return redirect("team:member", slug=organisation.slug, pk=user.pk)
            # Rendered once in this answer, never stored: a reload does not show it again.
            response = render(
                request,
                "accounts/team_password.html",
                {"organisation": organisation, "member": user, "password": password},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "accounts/team_form.html",
        {
            "title": _("New user at %(organisation)s") % {"organisation": organisation.name},
            "form": form,
            "submit": _("Add the user"),
            "cancel": reverse("team:index"),
        },
    )


@login_required
def member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    held = set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))
    return render(
        request,
        "accounts/team_member.html",
        {
            "organisation": organisation,
            "member": user,
            "roles": [(role, Role(role).label) for role in sorted(held)],
            "role_form": RoleForm(held=held),
            "second_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        },
    )


@login_required
def details_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Correct a member's name and e-mail address (also of accounts made before they were asked for)."""
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    form = UserDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_user_details(acting_user=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The name and e-mail address were saved."))
            return _back(organisation, user)
    return render(
        request,
        "accounts/team_form.html",
        {
            "title": _("Name and e-mail address of %(user)s") % {"user": user.username},
            "form": form,
            "submit": _("Save"),
            "cancel": reverse("team:member", args=[organisation.slug, user.pk]),
        },
    )


def _back(organisation: Organisation, user: User) -> HttpResponse:
    return redirect("team:member", slug=organisation.slug, pk=user.pk)


@login_required
def role_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    held = set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))
    form = RoleForm(request.POST or None, held=held)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_role(
                acting_user=request.user, user=user, organisation=organisation, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The role was given."))
            return _back(organisation, user)
    return render(
        request,
        "accounts/team_form.html",
        {
            "title": _("Give %(user)s a role at %(organisation)s")
            % {"user": user.username, "organisation": organisation.name},
            "form": form,
            "submit": _("Give the role"),
            "cancel": reverse("team:member", args=[organisation.slug, user.pk]),
        },
    )


def _confirm(
    request: HttpRequest,
    organisation: Organisation,
    user: User,
    *,
    title: str,
    question: str,
    submit: str,
    hidden: dict[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "accounts/team_confirm.html",
        {
            "title": title,
            "question": question,
            "submit": submit,
            "hidden": hidden or {},
            "cancel": reverse("team:member", args=[organisation.slug, user.pk]),
        },
    )


def _act(request: HttpRequest, organisation: Organisation, user: User, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, done)
    return _back(organisation, user)


@login_required
def role_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    role = request.POST.get("role") or request.GET.get("role") or ""
    held = Membership.objects.filter(user=user, organisation=organisation, role=role).exists()
    if request.method == "POST":
        return _act(
            request,
            organisation,
            user,
            lambda: actions.remove_role(
                acting_user=request.user, user=user, organisation=organisation, role=role
            ),
            _("The role was taken away."),
        )
    access.require(held)
    return _confirm(
        request,
        organisation,
        user,
        title=_("Take a role away"),
        question=_("Take the role %(role)s at %(organisation)s away from %(user)s?")
        % {"role": Role(role).label, "organisation": organisation.name, "user": user.username},
        submit=_("Take the role away"),
        hidden={"role": role},
    )


@login_required
def deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    if request.method == "POST":
        return _act(
            request,
            organisation,
            user,
            lambda: actions.set_active(acting_user=request.user, user=user, active=False),
            _("%(user)s can no longer sign in.") % {"user": user.username},
        )
    return _confirm(
        request,
        organisation,
        user,
        title=_("Deactivate %(user)s") % {"user": user.username},
        question=_(
            "%(user)s will no longer be able to sign in, and is signed out everywhere. Their roles and "
            "their work stay; you can reactivate the account later."
        )
        % {"user": user.username},
        submit=_("Deactivate"),
    )


@login_required
def reactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    if request.method == "POST":
        return _act(
            request,
            organisation,
            user,
            lambda: actions.set_active(acting_user=request.user, user=user, active=True),
            _("%(user)s can sign in again.") % {"user": user.username},
        )
    return _confirm(
        request,
        organisation,
        user,
        title=_("Reactivate %(user)s") % {"user": user.username},
        question=_("%(user)s will be able to sign in again, with the roles they have.")
        % {"user": user.username},
        submit=_("Reactivate"),
    )


@login_required
def second_factor_reset(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, slug)
    user = _member_or_404(organisation, pk)
    if request.method == "POST":
        return _act(
            request,
            organisation,
            user,
            lambda: actions.reset_second_factor(acting_user=request.user, user=user),
            _("%(user)s links an authenticator app again at the next sign-in.") % {"user": user.username},
        )
    return _confirm(
        request,
        organisation,
        user,
        title=_("Reset the second factor of %(user)s") % {"user": user.username},
        question=_(
            "Their authenticator app and recovery codes stop working. At the next sign-in %(user)s links an "
            "authenticator app again. Do this only when you are sure it is really them asking, for "
            "example a lost phone."
        )
        % {"user": user.username},
        submit=_("Reset the second factor"),
    )
