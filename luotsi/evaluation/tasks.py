"""Background task of the evaluation app (thin: the work is ``services.execute_run``)."""

from django_tasks import task


@task()
def run_evaluation(run_id: int) -> str:
    from .services import execute_run

    return execute_run(run_id).status
