"""``luotsi evaluation run --id N``: run an evaluation now (or ``--enqueue`` for the worker)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from luotsi.evaluation import options as opts
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.models import Evaluation


class Command(BaseCommand):
    help = "Run an evaluation: creates the next run version and executes it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", type=int, required=True, help="evaluation id")
        parser.add_argument(
            "--user", help="username of the evaluator who runs it (default: its creator)"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="only enqueue it for `luotsi manage db_worker`"
        )

    def handle(self, *args, **options) -> None:
        try:
            evaluation = Evaluation.objects.get(pk=options["id"])
        except Evaluation.DoesNotExist as exc:
            raise CommandError(f"no evaluation with id {options['id']}") from exc
        actor = evaluation.created_by
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        if options["enqueue"]:
            run = services.start_run(actor=actor, evaluation=evaluation)
            self.stdout.write(f"run {run.pk} (version {run.version}): {run.status}")
            return
        run = services.create_run(actor=actor, evaluation=evaluation)
        run = services.execute_run(run.pk)
        self.stdout.write(f"run {run.pk} (version {run.version}): {run.status}")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)
        options = run.design.get("estimator_options") or {}
        for group, declared in opts.BY_GROUP.items():  # declaration order (JSONB sorts keys)
            if group in options:
                shown = ", ".join(f"{name}={opts.value(options, group, name)}" for name in declared)
                self.stdout.write(f"options {group}: {shown}")
        if run.design.get("covariates"):
            self.stdout.write(f"covariates: {', '.join(run.design['covariates'])}")
        for entry in run.results["estimators"]:
            overall = next((r for r in entry["simple"] if r.get("overall")), None)
            if overall:
                self.stdout.write(f"{entry['key']}: {_overall_text(overall)}")
        self.stdout.write(f"fingerprint {run.fingerprint}")


def _overall_text(row: dict) -> str:
    """``overall ATT 1.2345 (95% CI 0.1 to 2.3) p 0.0100``; parts without a value are left out."""
    text = f"overall ATT {row['estimate']:.4f}"
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        text += f" (95% CI {row['ci_low']:.4f} to {row['ci_high']:.4f})"
    if row.get("p_value") is not None:
        text += f" p {row['p_value']:.4f}"
    return text
