-- S2 value-chain upgrading: 装备制造业增加值率 (%), industrial value added / main business revenue
-- of equipment manufacturing (divisions 33-40) over the enterprises reporting both.
-- Source: staging.enterprises (both in 万元).
with equipment as (
    select province_code, year, revenue, value_added, source_file, source_row
    from staging.enterprises
    where is_equipment_manufacturing and revenue is not null and value_added is not null
)
select
    province_code,
    year,
    100 * sum(value_added) / sum(revenue) as value,
    lineage(source_file, source_row) as source_rows
from equipment
group by province_code, year
having sum(revenue) > 0
