-- Question (DESIGN §2 D2, seed 002 "about 40% local procurement by chain leaders"): what share
-- of chain-leader (central SOE) procurement goes to suppliers in the buyer's own province, by
-- province, in the latest award year? Northeast first. Synthetic micro records on the demo.
-- Tables: staging.procurement, reference.area.
with latest as (
    select max(award_year) as award_year from staging.procurement where is_chain_leader_buyer
),
yuan_per_100m as (
    -- amounts are in 元; 亿元 for reading, with the factor from reference.unit
    select factor from reference.unit where unit = '亿元'
)
select
    a.short_zh as province,
    a.name_en as province_en,
    a.is_northeast,
    p.award_year,
    count(*) as contracts,
    round(sum(p.amount) / any_value(y.factor), 2) as amount_100m_yuan,
    round(coalesce(sum(p.amount) filter (where p.is_local_supplier), 0) / any_value(y.factor), 2)
        as local_amount_100m_yuan,
    100 * coalesce(sum(p.amount) filter (where p.is_local_supplier), 0) / sum(p.amount)
        as local_share_pct,
    bool_or(p.is_synthetic) as is_synthetic
from staging.procurement p
join latest using (award_year)
cross join yuan_per_100m y
join reference.area a on a.area_code = p.buyer_province_code
where p.is_chain_leader_buyer
group by all
having sum(p.amount) > 0
order by a.is_northeast desc, local_share_pct desc;
