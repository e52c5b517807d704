-- S1 factor upgrading: 装备制造业企业平均R&D人员 (人/家), R&D personnel per equipment-manufacturing
-- enterprise (GB/T 4754 divisions 33-40) reporting R&D personnel. Source: staging.enterprises.
with equipment as (
    select province_code, year, rd_personnel, source_file, source_row
    from staging.enterprises
    where is_equipment_manufacturing and rd_personnel is not null
)
select
    province_code,
    year,
    sum(rd_personnel) / count(*) as value,
    lineage(source_file, source_row) as source_rows
from equipment
group by province_code, year
