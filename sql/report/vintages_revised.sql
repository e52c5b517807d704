-- Figures published in more than one vintage (staging.area_year_history), per metric: how many
-- figures have several vintages, how many of them changed value between the earliest and the
-- current vintage, the largest change in % and that figure, earliest -> current.
with figures as (
    select
        area_code,
        any_value(area_zh) as area_zh,
        year,
        metric,
        any_value(unit) as unit,
        count(*) as vintages,
        any_value(value) filter (where is_current) as current_value,
        any_value(vintage) filter (where is_current) as current_vintage,
        arg_max(value, vintage_rank) as earliest_value,
        arg_max(vintage, vintage_rank) as earliest_vintage
    from staging.area_year_history
    group by area_code, year, metric
    having count(*) > 1
),
changes as (
    select
        *,
        current_value is distinct from earliest_value as changed,
        100 * abs(current_value - earliest_value) / nullif(abs(earliest_value), 0)
            as change_pct
    from figures
)
select
    metric,
    any_value(unit) as unit,
    count(*) as figures_with_vintages,
    count(*) filter (where changed) as figures_changed,
    max(change_pct) as max_change_pct,
    arg_max(
        area_zh || ' ' || year || ': ' || earliest_value || ' (' || earliest_vintage || ') → '
            || current_value || ' (' || current_vintage || ')',
        coalesce(change_pct, 0)
    ) as largest_revision
from changes
group by metric
order by figures_changed desc, metric
