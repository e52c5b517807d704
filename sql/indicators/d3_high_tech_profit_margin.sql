-- D3 technology value added: 高新技术企业利润率 (%), total profit / main business revenue of the
-- certified high-tech enterprises. Source: staging.enterprises (both in 万元).
with high_tech as (
    select province_code, year, revenue, profit, source_file, source_row
    from staging.enterprises
    where is_high_tech and revenue is not null and profit is not null
)
select
    province_code,
    year,
    100 * sum(profit) / sum(revenue) as value,
    string_agg(source_file || ':' || source_row, '; ' order by source_file, source_row)
        as source_rows
from high_tech
group by province_code, year
having sum(revenue) > 0
