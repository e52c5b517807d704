-- S3 industrial-structure upgrading: 装备制造业营业收入占制造业比重 (%), main business revenue of
-- equipment manufacturing (divisions 33-40) / that of all manufacturing divisions in
-- reference.industry_division. Source: staging.enterprises (revenue in 万元).
with manufacturing as (
    select e.province_code, e.year, e.revenue, e.is_equipment_manufacturing,
        e.source_file, e.source_row
    from staging.enterprises e
    join reference.industry_division d on d.division = e.industry_division
    where e.revenue is not null
)
select
    province_code,
    year,
    100 * coalesce(sum(revenue) filter (where is_equipment_manufacturing), 0) / sum(revenue)
        as value,
    lineage(source_file, source_row) as source_rows
from manufacturing
group by province_code, year
having sum(revenue) > 0
