-- S1 factor upgrading: 装备制造业R&D经费与营业收入之比 (%), the technology input of equipment
-- manufacturing (divisions 33-40): internal R&D / main business revenue over the enterprises
-- reporting both. Source: staging.enterprises (both in 万元).
with equipment as (
    select province_code, year, revenue, rd_expenditure, source_file, source_row
    from staging.enterprises
    where is_equipment_manufacturing and revenue is not null and rd_expenditure is not null
)
select
    province_code,
    year,
    100 * sum(rd_expenditure) / sum(revenue) as value,
    lineage(source_file, source_row) as source_rows
from equipment
group by province_code, year
having sum(revenue) > 0
