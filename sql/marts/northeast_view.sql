-- The Northeast (Liaoning, Jilin, Heilongjiang: reference.area is_northeast) per metric and
-- year, against the national figure and a benchmark province (parameter 1, from
-- composite_settings.yaml northeast_view.benchmark_province; Jiangsu 320000 by default).
-- northeast_value is the three provinces' total for metrics that sum to the national figure
-- (reference.metric sums_to_national: expenditure, counts) and their mean otherwise (ratios,
-- GDP). national_value is the published 全国 figure (staging.national_year) when there is
-- one, else for summing metrics the sum over all 31 provinces.
-- source_rows is the lineage of the row as in marts.indicator_value: a list of
-- struct(source_file, source_row), each once, ordered by file then row, built by the
-- lineage macro of sql/marts/indicator_macros.sql (installed first: build_northeast_view).
create or replace table marts.northeast_view as
with metrics as (
    select metric, sums_to_national from reference.metric
),
panel as (
    select p.*, a.is_northeast
    from staging.province_year p
    join reference.area a on a.area_code = p.province_code
),
northeast as (
    select
        year,
        metric,
        any_value(unit) as unit,
        count(*) as provinces,
        sum(value) as total,
        avg(value) as mean,
        bool_or(is_synthetic) as is_synthetic,
        lineage(source_file, source_row) as source_rows
    from panel
    where is_northeast
    group by year, metric
),
all_provinces as (
    select year, metric, count(*) as provinces, sum(value) as total
    from panel
    group by year, metric
),
published as (
    select year, metric, value, source_file, source_row
    from staging.national_year
    where area_code = '000000'
),
benchmark as (
    select year, metric, province_code, value, source_file, source_row
    from panel
    where province_code = $1
),
combined as (
    select
        n.year,
        n.metric,
        n.unit,
        m.sums_to_national,
        n.provinces as northeast_provinces,
        case when m.sums_to_national then n.total end as northeast_total,
        n.mean as northeast_mean,
        case when m.sums_to_national then n.total else n.mean end as northeast_value,
        case when m.sums_to_national then 'total' else 'mean' end as northeast_basis,
        coalesce(
            p.value, case when m.sums_to_national and a.provinces = 31 then a.total end
        ) as national_value,
        case
            when p.value is not null then 'published'
            when m.sums_to_national and a.provinces = 31 then 'sum_of_31_provinces'
        end as national_basis,
        $1 as benchmark_province,
        b.value as benchmark_value,
        n.is_synthetic,
        -- the Northeast's rows with the national and benchmark rows used, as one lineage
        (
            select lineage(used.source_file, used.source_row)
            from (
                select unnest(n.source_rows, recursive := true)
                union all
                select p.source_file, p.source_row
                union all
                select b.source_file, b.source_row
            ) as used (source_file, source_row)
            where used.source_file is not null
        ) as source_rows
    from northeast n
    join metrics m using (metric)
    join all_provinces a using (year, metric)
    left join published p using (year, metric)
    left join benchmark b using (year, metric)
)
select
    year,
    metric,
    unit,
    northeast_provinces,
    northeast_total,
    northeast_mean,
    northeast_value,
    northeast_basis,
    national_value,
    national_basis,
    100 * northeast_value / nullif(national_value, 0) as northeast_pct_of_national,
    benchmark_province,
    benchmark_value,
    100 * northeast_value / nullif(benchmark_value, 0) as northeast_pct_of_benchmark,
    is_synthetic,
    source_rows
from combined
order by metric, year
