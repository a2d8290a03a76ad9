"""An operator (staff or superuser account, the Django admin's user) never holds a membership.

Before this, an organisation's administrator could be a superuser and give themselves a role in another
organisation through the admin. Accounts that hold roles lose the staff and superuser flags here (with an
audit entry each), and database triggers refuse the mix from now on, whatever path writes it: the admin,
`createsuperuser`, the shell, a bulk update. The models' clean() and the actions say the same in words.

For a later migration: on SQLite, Django changes some columns by copying a table into a new one, dropping
the old one and renaming the new one. Done to accounts_user or accounts_membership, that fails ("error in
trigger … no such table") or drops the triggers. Such a migration runs remove_triggers first and
add_triggers last (import them from this module); tests/test_operator_rule.py fails if the triggers are gone.
"""

from typing import Any

from django.db import migrations

MESSAGE = "an operator account (staff or superuser) cannot hold a role in an organisation"

SQLITE = [
    f"""
    CREATE TRIGGER accounts_membership_operator_insert BEFORE INSERT ON accounts_membership
    WHEN EXISTS (SELECT 1 FROM accounts_user WHERE id = NEW.user_id AND (is_staff OR is_superuser))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER accounts_membership_operator_update BEFORE UPDATE OF user_id ON accounts_membership
    WHEN EXISTS (SELECT 1 FROM accounts_user WHERE id = NEW.user_id AND (is_staff OR is_superuser))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER accounts_user_operator_update BEFORE UPDATE OF is_staff, is_superuser ON accounts_user
    WHEN (NEW.is_staff OR NEW.is_superuser)
        AND EXISTS (SELECT 1 FROM accounts_membership WHERE user_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_membership_operator_insert",
    "DROP TRIGGER IF EXISTS accounts_membership_operator_update",
    "DROP TRIGGER IF EXISTS accounts_user_operator_update",
]

# FOR SHARE on the user row: a concurrent update making the same account an operator waits for the new
# membership to be committed (and then sees it), or holds the row until it commits (and the membership's
# check then reads the new flags), so the two cannot both pass their check.
POSTGRESQL = [
    f"""
    CREATE FUNCTION accounts_operator_holds_no_roles() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        account_is_operator boolean;
    BEGIN
        IF TG_TABLE_NAME = 'accounts_membership' THEN
            SELECT (is_staff OR is_superuser) INTO account_is_operator FROM accounts_user
                WHERE id = NEW.user_id FOR SHARE;
            IF account_is_operator THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
        ELSIF (NEW.is_staff OR NEW.is_superuser)
            AND EXISTS (SELECT 1 FROM accounts_membership WHERE user_id = NEW.id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER accounts_membership_operator BEFORE INSERT OR UPDATE OF user_id ON accounts_membership
    FOR EACH ROW EXECUTE FUNCTION accounts_operator_holds_no_roles()
    """,
    """
    CREATE TRIGGER accounts_user_operator BEFORE INSERT OR UPDATE OF is_staff, is_superuser ON accounts_user
    FOR EACH ROW EXECUTE FUNCTION accounts_operator_holds_no_roles()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_membership_operator ON accounts_membership",
    "DROP TRIGGER IF EXISTS accounts_user_operator ON accounts_user",
    "DROP FUNCTION IF EXISTS accounts_operator_holds_no_roles()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"Next Steps supports SQLite and PostgreSQL, not {vendor}")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def clear_operator_flags_of_staff(apps: Any, schema_editor: Any) -> None:
    """Accounts that work for an organisation stop being operators, each with an audit entry per
    organisation (so that its administrators see it in their trail)."""
    User = apps.get_model("accounts", "User")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    mixed = User.objects.filter(memberships__isnull=False).exclude(is_staff=False, is_superuser=False)
    for user in mixed.distinct():
        fields = sorted(name for name in ("is_staff", "is_superuser") if getattr(user, name))
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
        organisations = {m.organisation_id for m in user.memberships.all()}
        for organisation_id in sorted(organisations):
            AuditEntry.objects.create(
                action="change",
                model="accounts.User",
                object_pk=str(user.pk),
                organisation_id=organisation_id,
                acting_organisation_id=None,
                fields=fields,
            )


def add_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def remove_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_failed_sign_ins"),
        ("audit", "0004_entries_name_the_acting_organisation"),
    ]

    operations = [
        migrations.RunPython(clear_operator_flags_of_staff, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
