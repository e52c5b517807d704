-- Question (DESIGN §4, uncertainty and sensitivity): for each driver, stage and the overall
-- index, which method choice (normalisation, weights, aggregation) moves the ranks most?
-- Total Sobol' index S_T, largest first within each pillar.
-- Tables: marts.sensitivity.
select
    composite_index,
    pillar,
    choice,
    round(st, 3) as total_effect,
    round(st_conf, 3) as total_effect_conf,
    round(s1, 3) as first_order,
    rank() over (partition by composite_index, pillar order by st desc) as importance
from marts.sensitivity
order by composite_index, pillar, importance;
