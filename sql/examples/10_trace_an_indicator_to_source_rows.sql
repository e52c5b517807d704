-- Question (DESIGN §2, "every number in the warehouse can be traced back to the rows it came
-- from"): for Liaoning's fiscal S&T spending share (D4) in the latest year, which source
-- files and rows does the indicator value rest on, and what do those rows say?
-- Tables: marts.indicator_value, staging.province_year.
with latest as (
    select max(year) as year from marts.indicator_value
    where indicator = 'd4_fiscal_st_share' and not is_imputed
),
cell as (
    select v.province_code, v.year, v.indicator, v.raw_value, v.is_imputed,
        unnest(v.source_rows, recursive := true)
    from marts.indicator_value v
    join latest using (year)
    where v.indicator = 'd4_fiscal_st_share' and v.province_code = '210000'
)
select
    c.indicator,
    c.province_code,
    c.year,
    round(c.raw_value, 4) as indicator_value,
    c.source_file,
    c.source_row,
    s.metric,
    s.value,
    s.unit,
    s.vintage,
    s.citation
from cell c
left join staging.province_year s
    on s.source_file = c.source_file and s.source_row = c.source_row
order by s.metric;
