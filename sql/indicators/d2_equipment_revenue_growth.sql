-- D2 chain demand: 装备制造业营业收入增长率 (%), growth of equipment-manufacturing (GB/T 4754
-- divisions 33-40) main business revenue on the previous year, over the enterprise records.
-- Source: staging.enterprises (revenue in 万元; a ratio of two sums in one unit).
with equipment as (
    select province_code, year, revenue, source_file, source_row
    from staging.enterprises
    where is_equipment_manufacturing and revenue is not null
),
totals as (
    select province_code, year, sum(revenue) as revenue
    from equipment
    group by province_code, year
)
select
    cur.province_code,
    cur.year,
    100 * (cur.revenue / prev.revenue - 1) as value,
    (
        select lineage(e.source_file, e.source_row)
        from equipment e
        where e.province_code = cur.province_code and e.year in (cur.year, prev.year)
    ) as source_rows
from totals cur
join totals prev on prev.province_code = cur.province_code and prev.year = cur.year - 1
where prev.revenue > 0
