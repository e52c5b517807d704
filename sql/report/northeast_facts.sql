-- The seed-002 headline facts (DESIGN §2) for one year (parameter 1), each with the rows it
-- comes from: one row per fact with the Northeast figure, what it is set against, the ratio
-- in %, whether it rests on synthetic data and its source rows. The seed's own figures are in
-- data/reference/report_facts.csv; the report shows both. source_rows is a lineage list of
-- struct(source_file, source_row) as in marts.northeast_view and marts.indicator_value (the
-- lineage macro of sql/marts/indicator_macros.sql, installed by pipelines/report/data.py).
--   rd_total_vs_benchmark          R&D expenditure, Northeast total vs the benchmark province
--   rd_intensity_vs_national       R&D intensity, mean of the three vs the national figure
--   high_tech_enterprise_share     high-tech enterprises, Northeast total vs the national sum
--   chain_leader_local_procurement chain leaders' (central SOE buyers') contracts in the
--                                  Northeast: amount with same-province suppliers vs all
with view as (
    select * from marts.northeast_view where year = $1
),
panel_facts as (
    select
        'rd_total_vs_benchmark' as fact,
        year,
        metric,
        unit,
        northeast_value,
        benchmark_value as compared_with,
        'benchmark ' || benchmark_province as compared_with_basis,
        northeast_pct_of_benchmark as pct,
        is_synthetic,
        source_rows
    from view
    where metric = 'rd_expenditure'
    union all
    select
        'rd_intensity_vs_national', year, metric, unit, northeast_mean, national_value,
        'national ' || national_basis, northeast_pct_of_national, is_synthetic, source_rows
    from view
    where metric = 'rd_intensity'
    union all
    select
        'high_tech_enterprise_share', year, metric, unit, northeast_value, national_value,
        'national ' || national_basis, northeast_pct_of_national, is_synthetic, source_rows
    from view
    where metric = 'high_tech_enterprises'
),
yuan_per_100m as (
    -- contract amounts are in 元; the fact is shown in 亿元, the factor from reference.unit
    select factor from reference.unit where unit = '亿元'
),
chain_leader as (
    select p.* replace (p.amount / (select factor from yuan_per_100m) as amount)
    from staging.procurement p
    join reference.area a on a.area_code = p.buyer_province_code
    where a.is_northeast and p.is_chain_leader_buyer and p.award_year = $1
),
procurement_fact as (
    select
        'chain_leader_local_procurement' as fact,
        $1::integer as year,
        'staging.procurement.amount' as metric,
        '亿元' as unit,
        coalesce(sum(amount) filter (where is_local_supplier), 0) as northeast_value,
        sum(amount) as compared_with,
        'all chain-leader contracts of Northeast buyers' as compared_with_basis,
        100 * coalesce(sum(amount) filter (where is_local_supplier), 0)
            / nullif(sum(amount), 0) as pct,
        bool_or(is_synthetic) as is_synthetic,
        lineage(source_file, source_row) as source_rows
    from chain_leader
    having count(*) > 0
)
select * from panel_facts
union all
select * from procurement_fact
