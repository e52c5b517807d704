"""The Dagster definitions, loaded by ``pipelines/definitions.py`` (``load_from_defs_folder``).

One folder a domain, each with ``assets.py`` and, where its tables have checks, ``checks.py``:
``reference``, ``province_year``, ``micro`` (every micro domain of ``pipelines/domains.py``
from one factory), ``indicators``, ``upgrading``, ``publish``; ``operations`` holds what runs
them (jobs, schedules, sensors, freshness, lateness, health, the end of a run). Shared:
``resources.py`` (the only place resources are bound), ``sources.py``, ``pool.py``,
``table_metadata.py``, ``staging.py`` (the staging-table factory) and ``validation.py`` (the
Great Expectations check factory).
"""
