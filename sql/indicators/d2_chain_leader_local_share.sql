-- D2 chain demand: 链主企业本地采购占比 (%), the share of chain-leader (central SOE) procurement
-- awarded to suppliers in the buyer's own province, by amount. Province = buyer's province,
-- year = award year. Source: staging.procurement (amount in 元; a ratio of two sums in the
-- same unit needs no conversion).
with chain_leader as (
    select buyer_province_code as province_code, award_year as year, amount, is_local_supplier,
        source_file, source_row
    from staging.procurement
    where is_chain_leader_buyer and award_year is not null
)
select
    province_code,
    year,
    100 * coalesce(sum(amount) filter (where is_local_supplier), 0) / sum(amount) as value,
    lineage(source_file, source_row) as source_rows
from chain_leader
group by province_code, year
having sum(amount) > 0
