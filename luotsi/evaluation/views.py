"""Pages of the evaluation app: list, define, run, follow progress, versions and reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import option_fields, selectors, services
from .choices import RunStatus
from .forms import EvaluationForm
from .permissions import can_write, require_write
from .report import pdf_path, render_report, write_pdf

LANGUAGES = ("fi", "sv", "en")


@login_required
def evaluation_list(request):
    evaluations = selectors.evaluations_for(request.user)
    return render(
        request,
        "evaluation/list.html",
        {"evaluations": evaluations, "can_write": can_write(request.user)},
    )


@login_required
def evaluation_create(request):
    require_write(request.user)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.create_evaluation(actor=request.user, **form.fields_for_service())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect("evaluation:detail", pk=evaluation.pk)
    return render(request, "evaluation/form.html", {"form": form})


@login_required
def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_for(request.user, pk)
    return render(
        request,
        "evaluation/detail.html",
        {
            "evaluation": evaluation,
            "runs": selectors.runs_of(request.user, evaluation),
            "can_write": can_write(request.user),
            "options": option_fields.describe(evaluation.estimator_options, evaluation.estimators),
        },
    )


@login_required
@require_POST
def evaluation_run(request, pk: int):
    evaluation = selectors.evaluation_for(request.user, pk)
    run = services.start_run(actor=request.user, evaluation=evaluation)
    messages.success(request, _("Run version %(v)s started.") % {"v": run.version})
    return redirect("evaluation:run", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    run = selectors.run_for(request.user, pk)
    return render(
        request,
        "evaluation/run.html",
        {
            "run": run,
            "evaluation": run.evaluation,
            "refresh": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "languages": LANGUAGES,
        },
    )


def _language(request) -> str:
    lang = request.GET.get("lang") or translation.get_language() or "fi"
    lang = lang.split("-")[0]
    if lang not in LANGUAGES:
        raise Http404(_("Unknown report language."))
    return lang


def _finished_run(request, pk: int):
    run = selectors.run_for(request.user, pk)
    if run.status != RunStatus.SUCCEEDED:
        raise Http404(_("This run has no report."))
    return run


@login_required
def run_report(request, pk: int):
    run = _finished_run(request, pk)
    return HttpResponse(render_report(run, _language(request)))


@login_required
def run_report_pdf(request, pk: int):
    run = _finished_run(request, pk)
    lang = _language(request)
    path = pdf_path(run, lang)
    if not path.exists() and write_pdf(run, lang) is None:
        raise Http404(_("PDF printing is not available on this server."))
    name = f"evaluation-{run.evaluation_id}-v{run.version}-{lang}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
