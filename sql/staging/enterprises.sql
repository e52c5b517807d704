-- Enterprise-years, one row per unified social credit code and year (latest load wins).
-- Equipment manufacturing is read from reference.industry_division (divisions 33-40).
-- Money in 万元 as in the input contract (data/reference/micro_columns.csv).
create or replace table staging.enterprises as
with source as (
    select * from raw.enterprises
),
latest as (
    select *
    from source
    qualify row_number() over (
        partition by credit_code, year order by loaded_at desc, source_file desc, source_row desc
    ) = 1
)
select
    l.credit_code,
    l.year,
    l.name,
    l.province_code,
    a.name_zh as province_zh,
    l.industry_code,
    left(l.industry_code, 2) as industry_division,
    coalesce(d.is_equipment_manufacturing, false) as is_equipment_manufacturing,
    l.ownership,
    l.ownership = 'central_soe' as is_central_soe,
    l.is_high_tech,
    l.has_rd_activity,
    l.employees,
    l.rd_personnel,
    l.revenue,
    l.new_product_revenue,
    l.rd_expenditure,
    l.value_added,
    l.profit,
    coalesce(l.is_synthetic, false) as is_synthetic,
    l.source_file,
    l.source_row,
    l.loaded_at
from latest l
left join reference.area a on a.area_code = l.province_code
left join reference.industry_division d on d.division = left(l.industry_code, 2)
