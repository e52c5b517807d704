-- D2 chain demand: 央地配套合同额与GDP之比 (元/万元), contracts that chain leaders (central SOEs)
-- award to local suppliers (same province), in 元 per 万元 of gross regional product.
-- Units come from reference.unit: procurement.amount is in 元 (data/reference/micro_columns.csv),
-- gdp in its catalog unit (亿元); both go to 元 (gdp by metric_in_base_unit,
-- sql/marts/indicator_macros.sql), then GDP is expressed in 万元.
with contracts as (
    select buyer_province_code as province_code, award_year as year, amount,
        source_file, source_row
    from staging.procurement
    where is_chain_leader_buyer and is_local_supplier and award_year is not null
),
contract_totals as (
    select province_code, year, sum(amount) as amount
    from contracts
    group by province_code, year
),
gdp as (select *, base_value as gdp_yuan from metric_in_base_unit('gdp')),
factors as (
    select
        any_value(factor) filter (where unit = '元') as yuan,
        any_value(factor) filter (where unit = '万元') as wan_yuan
    from reference.unit
)
select
    g.province_code,
    g.year,
    coalesce(c.amount, 0) * f.yuan / (g.gdp_yuan / f.wan_yuan) as value,
    (
        select lineage(used.source_file, used.source_row)
        from (
            select g.source_file, g.source_row
            union all
            select k.source_file, k.source_row
            from contracts k
            where k.province_code = g.province_code and k.year = g.year
        ) as used
    ) as source_rows
from gdp g
cross join factors f
left join contract_totals c using (province_code, year)
where g.gdp_yuan > 0
    and g.year between (select min(award_year) from staging.procurement)
                   and (select max(award_year) from staging.procurement)
