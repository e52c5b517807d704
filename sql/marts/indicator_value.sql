-- One row per province x year x indicator of the panel: the value as the formula computed it
-- (raw_value, missing where the data has none), after imputation and outlier treatment
-- (treated_value) and min-max normalised over all provinces and years (normalised_value,
-- 0-100, direction applied: higher is better). Inputs: engine_cells (registered by
-- pipelines/indicators/warehouse.py), indicator_raw (temp) and indicator_catalog (registered).
-- Traceability: an observed value lists its own source rows; an imputed value lists those of
-- the observed years it was computed from (the latest earlier one and, when it was
-- interpolated, the next later one), merged by the lineage macro (sql/marts/
-- indicator_macros.sql, installed on this connection with the formulas).
-- value_origin: how the value was obtained (pipelines/indicators/panel.py value_origins):
-- observed, interpolated or carried_forward (engine.impute in composite_settings.yaml),
-- earliest_observed (panel.empty_pillar_fill), missing. pillar_coverage: the share of the
-- pillar's catalog weight observed in that province-year (1 = every indicator of the pillar
-- observed; the same on every row of the province-year-pillar).
create or replace table marts.indicator_value as
with cells as (
    select e.province_code, e.year, e.indicator, e.raw_value, e.treated_value,
        e.normalised_value, e.is_imputed, e.value_origin, r.source_rows
    from engine_cells e
    left join indicator_raw r using (indicator, province_code, year)
),
neighbours as (
    select
        *,
        last_value(case when raw_value is not null then source_rows end ignore nulls) over (
            partition by indicator, province_code order by year
            rows between unbounded preceding and 1 preceding
        ) as earlier_rows,
        first_value(case when raw_value is not null then source_rows end ignore nulls) over (
            partition by indicator, province_code order by year
            rows between 1 following and unbounded following
        ) as later_rows
    from cells
)
select
    n.province_code,
    n.year::integer as year,
    n.indicator,
    c.pillar,
    n.raw_value,
    n.treated_value,
    n.normalised_value,
    n.is_imputed,
    n.value_origin::varchar as value_origin,
    coalesce(sum(c.weight) filter (where n.raw_value is not null) over pillar_year, 0)
        / nullif(sum(c.weight) over pillar_year, 0)::double as pillar_coverage,
    c.is_synthetic::boolean as is_synthetic,
    case
        when n.raw_value is not null then n.source_rows
        when n.is_imputed then (
            select lineage(used.source_file, used.source_row)
            from (
                select unnest(list_concat(n.earlier_rows, n.later_rows), recursive := true)
            ) as used
        )
    end as source_rows
from neighbours n
join indicator_catalog c on c.id = n.indicator
window pillar_year as (partition by n.province_code, n.year, c.pillar)
order by n.indicator, n.province_code, n.year
