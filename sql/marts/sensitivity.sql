-- Which methodological choice moves the ranks most: first-order (s1) and total (st) Sobol'
-- indices, with their 95% bootstrap half-widths, of the mean absolute rank shift against the
-- published ranks, per pillar and index (pipelines/indicators/uncertainty.py; the choices
-- and the sample size are composite_settings.yaml `uncertainty`). From sobol_indices,
-- registered by pipelines/indicators/warehouse.py.
create or replace table marts.sensitivity as
select
    "index" as composite_index,
    pillar,
    choice,
    s1::double as s1,
    s1_conf::double as s1_conf,
    st::double as st,
    st_conf::double as st_conf
from sobol_indices
order by composite_index, pillar, st desc
