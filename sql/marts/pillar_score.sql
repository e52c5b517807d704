-- Pillar (D1..D8 drivers, S1..S3 upgrading stages) and index ('overall' = the innovation
-- impetus index over the 8 drivers) scores per province and year, from pillar_scores
-- (registered by pipelines/indicators/marts.py: the engine's aggregation of
-- marts.indicator_value.normalised_value).
--
-- rank: within pillar and year, 1 = best; equal scores are ordered by province code so the
-- ranks of a pillar-year are always a permutation of 1..31.
-- relative_to_national: score / (mean score of the 31 provinces in that pillar-year) x 100,
-- so the national reference is 100 by definition.
-- performance_group, THE rule (thresholds from composite_settings.yaml, parameters 1-3):
--   leader    relative_to_national > 125
--   strong    100 <= relative_to_national <= 125
--   moderate  70 <= relative_to_national < 100
--   emerging  relative_to_national < 70
create or replace table marts.pillar_score as
with scores as (
    select province_code, year::integer as year, pillar, score::double as score
    from pillar_scores
),
relative as (
    select
        *,
        row_number() over (
            partition by pillar, year order by score desc nulls last, province_code
        ) as rank,
        100 * score / nullif(avg(score) over (partition by pillar, year), 0)
            as relative_to_national
    from scores
)
select
    province_code,
    year,
    pillar,
    score,
    rank::integer as rank,
    null::double as rank_p05,
    null::double as rank_p50,
    null::double as rank_p95,
    relative_to_national,
    case
        when relative_to_national > $1 then 'leader'
        when relative_to_national >= $2 then 'strong'
        when relative_to_national >= $3 then 'moderate'
        when relative_to_national is not null then 'emerging'
    end as performance_group
from relative
order by pillar, year, rank
