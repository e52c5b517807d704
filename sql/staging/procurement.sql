-- Procurement contracts, one row per contract id (latest load wins). A contract is local when
-- buyer and supplier are in the same province; central-SOE buyers are the chain leaders.
-- Amounts in 元 as in the input contract (data/reference/micro_columns.csv).
create or replace table staging.procurement as
with source as (
    select * from raw.procurement
),
latest as (
    select *
    from source
    qualify row_number() over (
        partition by contract_id order by loaded_at desc, source_file desc, source_row desc
    ) = 1
)
select
    l.contract_id,
    l.buyer,
    l.buyer_type,
    l.buyer_type = 'central_soe' as is_chain_leader_buyer,
    l.buyer_province_code,
    b.name_zh as buyer_province_zh,
    l.supplier,
    l.supplier_province_code,
    s.name_zh as supplier_province_zh,
    l.buyer_province_code = l.supplier_province_code as is_local_supplier,
    l.category,
    l.amount,
    l.award_date,
    year(l.award_date) as award_year,
    l.is_innovative_product,
    coalesce(l.is_synthetic, false) as is_synthetic,
    l.source_file,
    l.source_row,
    l.loaded_at
from latest l
left join reference.area b on b.area_code = l.buyer_province_code
left join reference.area s on s.area_code = l.supplier_province_code
