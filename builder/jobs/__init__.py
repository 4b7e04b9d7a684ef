"""Background jobs: the outbox and its RQ hand-over (queue.py), the thread that
hands a request's jobs over after its answer (handover.py), the runner every
job goes through (runner.py), the jobs themselves (tasks.py), the worker."""
