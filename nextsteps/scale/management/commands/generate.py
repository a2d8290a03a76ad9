"""nextsteps generate: fill a programme with synthetic records at a chosen size, for benchmarks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from nextsteps.demo import programme as demo_spec
from nextsteps.demo.load import load_demo
from nextsteps.programmes.models import Programme
from nextsteps.scale.generator import Generator, already_generated, make_plan


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 1:
        raise CommandError(_("Expected a whole number of at least 1, not “%(value)s”.") % {"value": value})
    return number


class Command(BaseCommand):
    help = (
        "Fill a programme with synthetic records (invented people, households, monthly visits, cases with "
        "services and outcomes, activities, volunteers, distributions) for N persons over Y years from the "
        "programme's start, for benchmarks and trials. The same seed gives the same records; running again "
        "with the same seed adds nothing. For speed the records are written in bulk, bypassing the "
        "per-record audit: the run is recorded as one audit entry by the system."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="programme slug, e.g. next-steps")
        parser.add_argument("--persons", required=True, help="number of persons to make")
        parser.add_argument("--years", default="3", help="years of records from the programme's start")
        parser.add_argument("--seed", default="1", help="random seed (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        persons = positive(options["persons"])
        years = positive(options["years"])
        seed = positive(options["seed"])
        if years > 50:
            raise CommandError(_("At most 50 years of records can be generated."))
        slug = options["programme"]
        try:
            programme = Programme.objects.filter(slug=slug).first()
        except DatabaseError:
            raise CommandError(_("The database is not set up; run “nextsteps migrate” first.")) from None
        if programme is None and slug == demo_spec.PROGRAMME["slug"]:
            programme, _loaded = load_demo()
        if programme is None:
            raise CommandError(_("There is no programme “%(slug)s”.") % {"slug": slug})
        if not programme.organisations.exists():
            raise CommandError(
                _("Programme “%(slug)s” has no organisations to record the work.") % {"slug": slug}
            )
        plan = make_plan(programme, persons, years, seed)
        if already_generated(plan):
            self.stderr.write(
                _(
                    "Records for seed %(seed)s are already in “%(slug)s”; nothing was added. Use another --seed to add more."
                )
                % {"seed": seed, "slug": slug}
            )
            return
        generator = Generator(
            plan, progress=lambda text: self.stderr.write(text) if options["verbosity"] > 1 else None
        )
        try:
            result = generator.run()
        except DatabaseError as error:
            raise CommandError(
                _("The records could not be written; nothing was added: %(reason)s") % {"reason": error}
            ) from None
        total = sum(result.counts.values())
        for label, count in result.counts.items():
            self.stdout.write(f"{label:32} {count:>12,}")
        self.stdout.write(
            _("%(total)s records written in %(seconds)s s (%(rate)s records per second).")
            % {
                "total": f"{total:,}",
                "seconds": f"{result.seconds:.1f}",
                "rate": f"{total / max(result.seconds, 1e-9):,.0f}",
            }
        )
