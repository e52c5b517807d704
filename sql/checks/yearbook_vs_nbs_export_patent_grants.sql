-- check: yearbook_vs_nbs_export_patent_grants  table: staging.area_year_history  severity: warn
-- Cross-source: a province's domestic patent grants (all three kinds, and inventions) in the
-- S&T Yearbook (vintage '中国科技统计年鉴<edition>', table 7-8/8-8) against the NBS 分省年度数据
-- export (vintage 'NBS 分省年度数据 export ...') for the same area and year, every vintage of
-- each. Both copy CNIPA's count, so they should agree; a gap beyond 0.5% of the export's figure
-- means one of them took a later CNIPA revision, or a row was read into the wrong province or
-- year. Each differing area-year is listed with both values, vintages and source rows.
with params as (
    select 0.005 as tolerance
),
yearbook as (
    select *
    from {batch}
    where vintage like '中国科技统计年鉴%' and metric in ('patent_grants', 'invention_grants')
),
nbs_export as (
    select *
    from staging.area_year_history
    where vintage like 'NBS 分省年度数据 export%'
      and metric in ('patent_grants', 'invention_grants')
)
select
    y.area_code,
    y.area_zh,
    y.year,
    y.metric,
    y.vintage as yearbook_vintage,
    y.value as yearbook_value,
    x.vintage as nbs_export_vintage,
    x.value as nbs_export_value,
    y.value - x.value as difference,
    round(y.value / nullif(x.value, 0) - 1, 5) as relative_difference,
    y.source_file as yearbook_source_file,
    y.source_row as yearbook_source_row,
    x.source_file as nbs_export_source_file,
    x.source_row as nbs_export_source_row
from yearbook y
join nbs_export x on x.area_code = y.area_code and x.year = y.year and x.metric = y.metric
cross join params
where abs(y.value - x.value) > params.tolerance * abs(x.value)
order by y.metric, y.year, y.area_code, y.vintage, x.vintage
