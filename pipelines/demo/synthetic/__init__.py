"""The synthetic micro records (patents, enterprises, procurement) of the embedded demo.

``generate_micro`` (one level up) runs them: ``panel`` reads the real province-year panel the
records follow, ``calibration`` holds the knobs and the published facts they reproduce,
``vocab`` the stated assumptions about structure; ``enterprises``, ``patents`` and
``procurement`` generate the records (from ``building_blocks`` and ``identifiers``: valid
credit codes and application numbers), ``writers`` writes them typed by the input contract and
``aggregates`` the province-year aggregates of the enterprise records.
"""
