-- D7 funding: 企业R&D经费与营业收入之比 (%), internal R&D expenditure / main business revenue over
-- the enterprises reporting both. Source: staging.enterprises (both in 万元).
with reporting as (
    select province_code, year, revenue, rd_expenditure, source_file, source_row
    from staging.enterprises
    where revenue is not null and rd_expenditure is not null
)
select
    province_code,
    year,
    100 * sum(rd_expenditure) / sum(revenue) as value,
    lineage(source_file, source_row) as source_rows
from reporting
group by province_code, year
having sum(revenue) > 0
