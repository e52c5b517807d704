-- D6 technology: 发明专利占专利授权量比重 (%), invention grants / all domestic patent grants.
-- Source: staging.province_year (both 件).
with inventions as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'invention_grants'
),
grants as (
    select province_code, year, value, source_file, source_row
    from staging.province_year
    where metric = 'patent_grants'
)
select
    i.province_code,
    i.year,
    100 * i.value / g.value as value,
    (
        select lineage(source_file, source_row)
        from (values (i.source_file, i.source_row), (g.source_file, g.source_row))
            as used (source_file, source_row)
    ) as source_rows
from inventions i
join grants g using (province_code, year)
where g.value > 0
