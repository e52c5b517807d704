-- D3 technology value added: 新产品销售收入占营业收入比重 (%), over the enterprises that report
-- both new-product and main business revenue. Source: staging.enterprises (both in 万元).
with reporting as (
    select province_code, year, revenue, new_product_revenue, source_file, source_row
    from staging.enterprises
    where revenue is not null and new_product_revenue is not null
)
select
    province_code,
    year,
    100 * sum(new_product_revenue) / sum(revenue) as value,
    string_agg(source_file || ':' || source_row, '; ' order by source_file, source_row)
        as source_rows
from reporting
group by province_code, year
having sum(revenue) > 0
