"""The outreach round's save: N households of three members each in a new SQLite file, then the round's
form checked and saved as the page does (nextsteps/records/round.py), timed, for N = 70 and 500.

    .venv/bin/python benchmarks/round_benchmark.py
    .venv/bin/python benchmarks/round_benchmark.py --households 70 500 2000

The page's own work only (the form's checks, the visits, their persons and audit entries): no HTTP, no
sign-in. Each N is a fresh locality of the same organisation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.import_benchmark import scope, setup_django


def households(organisation: Any, locality: str, count: int) -> list[Any]:
    from nextsteps.records import actions
    from nextsteps.records.models import Household, Person

    made = []
    for i in range(count):
        members = [
            actions.create_record(
                Person, acting_user=None, organisation=organisation, code=f"{locality}-{i}-{j}", sex="female"
            )
            for j in range(3)
        ]
        made.append(
            actions.create_record(
                Household,
                acting_user=None,
                organisation=organisation,
                code=f"{locality}-{i}",
                locality=locality,
                members=members,
            )
        )
    return made


def measure(count: int, user: Any, programme: Any, organisation: Any) -> float:
    from django.http import QueryDict

    from nextsteps.records import round as rounds
    from nextsteps.records.forms import NewPersonFormSet
    from nextsteps.records.models import SiteType

    locality = f"Place{count}"
    made = households(organisation, locality, count)
    data = QueryDict(mutable=True)
    data.update({"date": dt.date(2024, 5, 6).isoformat(), "locality": locality})
    data["site_type"] = str(SiteType.objects.get(code="household").pk)
    data["new-TOTAL_FORMS"], data["new-INITIAL_FORMS"] = "0", "0"
    data.setlist("households", [str(h.pk) for h in made])
    for household in made:
        # One member of each household was away.
        present = list(household.members.values_list("pk", flat=True))[1:]
        data.setlist(f"present-{household.pk}", ["", *(str(pk) for pk in present)])
    start = time.perf_counter()
    form = rounds.OutreachRoundForm(data, user=user)
    newcomers = NewPersonFormSet(data, prefix="new")
    assert form.is_valid(), form.errors
    newcomers.organisation = form.cleaned_data["organisation"]
    assert newcomers.is_valid()
    saved = rounds._save_round(user, programme, form, newcomers)
    elapsed = time.perf_counter() - start
    assert saved is not None and saved.households == count, form.errors
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, nargs="+", default=[70, 500])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        from nextsteps.accounts.models import Membership, Role, User

        programme, organisation = scope()
        user = User.objects.create_user("round.benchmark", password=None)
        Membership.objects.create(user=user, organisation=organisation, role=Role.OUTREACH_WORKER)
        for count in args.households:
            seconds = measure(count, user, programme, organisation)
            print(f"{count} households: {seconds:.3f} s")


if __name__ == "__main__":
    main()
