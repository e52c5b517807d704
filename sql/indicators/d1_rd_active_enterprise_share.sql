-- D1 entrepreneurship: 有R&D活动的企业占比 (%), enterprises with R&D activity / all enterprises.
-- Source: staging.province_year (rd_active_enterprises, enterprises; both 家).
with active as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'rd_active_enterprises'
),
total as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'enterprises'
)
select
    a.province_code,
    a.year,
    100 * a.value / t.value as value,
    a.source_file || ':' || a.source_row || '; ' || t.source_file || ':' || t.source_row
        as source_rows
from active a
join total t using (province_code, year)
where t.value > 0
