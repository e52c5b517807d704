-- Pillar (D1..D8 drivers, S1..S3 upgrading stages) and index ('overall' = the innovation
-- impetus index over the 8 drivers, 'upgrading' = the upgrading index over the 3 stages)
-- scores per province and year, from pillar_scores (registered by
-- pipelines/indicators/warehouse.py: the engine's aggregation of
-- marts.indicator_value.normalised_value), with the names of pillar_names (registered: the
-- pillars and indices of composite_settings.yaml, the one source of their names).
--
-- official_share / observed_share / is_synthetic (pipelines/indicators/panel.py
-- pillar_shares): within a pillar, the catalog weight of the indicators that have a value
-- there and are not synthetic (official_share) or are observed, not imputed
-- (observed_share), over the weight of all indicators that have a value; an index row takes
-- the pillar-weight-weighted mean of its pillars' shares. is_synthetic: any input value is
-- synthetic. A score with observed_share = 0 rests on imputed values alone: the WARN check
-- sql/checks/marts/pillar_score_observed_inputs.sql lists them.
--
-- rank: within pillar and year, 1 = best; equal scores are ordered by province code so the
-- ranks of a pillar-year are always a permutation of 1..31.
-- rank_p05 / rank_p50 / rank_p95: 5th, 50th and 95th percentile of the province's rank over
-- the Monte Carlo runs of pipelines/indicators/uncertainty.py (rank_intervals, registered by
-- pipelines/indicators/warehouse.py; the choices are composite_settings.yaml `uncertainty`).
-- relative_to_national: score / (mean score of the 31 provinces in that pillar-year) x 100,
-- so the national reference is 100 by definition.
-- performance_group, THE rule (thresholds from composite_settings.yaml, parameters 1-3):
--   leader    relative_to_national > 125
--   strong    100 <= relative_to_national <= 125
--   moderate  70 <= relative_to_national < 100
--   emerging  relative_to_national < 70
create or replace table marts.pillar_score as
with scores as (
    select
        province_code,
        year::integer as year,
        pillar,
        score::double as score,
        official_share::double as official_share,
        observed_share::double as observed_share,
        is_synthetic::boolean as is_synthetic
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
    n.name_zh as pillar_zh,
    n.name_en as pillar_en,
    score,
    official_share,
    observed_share,
    is_synthetic,
    rank::integer as rank,
    u.rank_p05::double as rank_p05,
    u.rank_p50::double as rank_p50,
    u.rank_p95::double as rank_p95,
    relative_to_national,
    case
        when relative_to_national > $1 then 'leader'
        when relative_to_national >= $2 then 'strong'
        when relative_to_national >= $3 then 'moderate'
        when relative_to_national is not null then 'emerging'
    end as performance_group
from relative
left join rank_intervals u using (province_code, year, pillar)
left join pillar_names n using (pillar)
order by pillar, year, rank
