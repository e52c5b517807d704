-- D1 entrepreneurship: 高新技术企业占比 (%), certified high-tech enterprises / all enterprises.
-- Source: staging.province_year (high_tech_enterprises, enterprises; both 家).
with high_tech as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'high_tech_enterprises'
),
total as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'enterprises'
)
select
    h.province_code,
    h.year,
    100 * h.value / t.value as value,
    (
        select lineage(source_file, source_row)
        from (values (h.source_file, h.source_row), (t.source_file, t.source_row))
            as used (source_file, source_row)
    ) as source_rows
from high_tech h
join total t using (province_code, year)
where t.value > 0
