-- D5 talent: 企业R&D人员占从业人员比重 (%), R&D personnel / average employees over the
-- enterprises reporting both. Source: staging.enterprises (both in 人).
with reporting as (
    select province_code, year, employees, rd_personnel, source_file, source_row
    from staging.enterprises
    where employees is not null and rd_personnel is not null
)
select
    province_code,
    year,
    100 * sum(rd_personnel) / sum(employees) as value,
    lineage(source_file, source_row) as source_rows
from reporting
group by province_code, year
having sum(employees) > 0
