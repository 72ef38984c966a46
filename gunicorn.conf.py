"""gunicorn's settings, read from the working directory by `make serve` and by
`gunicorn investigations.wsgi` run from the project's root.

Without this file gunicorn starts one sync worker, which queues every reader behind the
slowest page and behind an editor's save: benchmarks/load_benchmark.py measured reads
waiting seconds on one worker. Several workers, as gunicorn's documentation advises
(two per core, plus one), unless WEB_CONCURRENCY says how many.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
