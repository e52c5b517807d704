-- D4 policy: 政府采购创新产品占比 (%), the share of government procurement (by amount) that buys
-- products on an innovative-product list (首台套/创新产品). Province = buyer's province, year =
-- award year. Source: staging.procurement (amount in 元; a ratio of two sums in one unit).
with government as (
    select buyer_province_code as province_code, award_year as year, amount,
        is_innovative_product, source_file, source_row
    from staging.procurement
    where buyer_type = 'government' and award_year is not null
)
select
    province_code,
    year,
    100 * coalesce(sum(amount) filter (where is_innovative_product), 0) / sum(amount) as value,
    lineage(source_file, source_row) as source_rows
from government
group by province_code, year
having sum(amount) > 0
