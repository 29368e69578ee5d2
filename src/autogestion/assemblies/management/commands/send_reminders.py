from autogestion.core.management.commands.run_jobs import Command as RunJobs


class Command(RunJobs):
    help = ("The former name of `run_jobs`, kept for existing crontabs: runs every "
            "periodic job once, as the worker does.")
