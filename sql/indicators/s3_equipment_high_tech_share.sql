-- S3 industrial-structure upgrading: 装备制造业中高新技术企业营业收入占比 (%), the share of
-- equipment-manufacturing (divisions 33-40) main business revenue earned by certified
-- high-tech enterprises. Source: staging.enterprises (revenue in 万元).
with equipment as (
    select province_code, year, revenue, is_high_tech, source_file, source_row
    from staging.enterprises
    where is_equipment_manufacturing and revenue is not null
)
select
    province_code,
    year,
    100 * coalesce(sum(revenue) filter (where is_high_tech), 0) / sum(revenue) as value,
    lineage(source_file, source_row) as source_rows
from equipment
group by province_code, year
having sum(revenue) > 0
