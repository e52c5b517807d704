-- check: yearbook_vs_communique_rd  table: staging.area_year_history  severity: warn
-- Cross-source: 全国's and each province's R&D expenditure (亿元) and R&D intensity (%) in the
-- S&T Yearbook (vintage '中国科技统计年鉴<edition>') against the R&D communiqué (全国科技经费投入
-- 统计公报, vintage 'NBS release ...') for the same area, year and metric, every vintage, not
-- only the current ones. The communiqué of year Y is compared with edition Y+1 only, the one
-- that first publishes year Y: later editions restate intensities after GDP revisions (全国
-- 2022: 2.54 in the communiqué, 2.56 in the 2024 edition). Those restatements are revisions,
-- not disagreements between sources; vintage_divergence reports them.
-- Tolerances. Expenditure: the larger of 0.5% and 0.05 亿元. The yearbook prints 万元 to the
-- unit, the communiqué 亿元 to one decimal (33357.0688 vs 33357.1), so rounding alone moves a
-- small province by up to 0.05 亿元 (Tibet 2022: 6.959 vs 7.0 is 0.59%). Intensity: 0.03
-- percentage points; both print two decimals and the same edition has the same GDP behind it.
with params as (
    select
        0.005 as expenditure_relative,
        0.05 as expenditure_rounding_100m_yuan,
        0.03 as intensity_pp
),
yearbook as (
    select *, try_cast(regexp_extract(vintage, '[0-9]+') as integer) as edition
    from {batch}
    where vintage like '中国科技统计年鉴%'
      and metric in ('rd_expenditure', 'rd_intensity')
      and area_level in ('national', 'province')
),
communique as (
    select *
    from staging.area_year_history
    where vintage like 'NBS release %'
      and metric in ('rd_expenditure', 'rd_intensity')
      and area_level in ('national', 'province')
),
compared as (
    select
        y.area_code,
        y.area_zh,
        y.year,
        y.metric,
        y.vintage as yearbook_vintage,
        y.value as yearbook_value,
        c.vintage as communique_vintage,
        c.value as communique_value,
        y.value - c.value as difference,
        case y.metric
            when 'rd_expenditure' then greatest(
                params.expenditure_relative * abs(c.value), params.expenditure_rounding_100m_yuan
            )
            else params.intensity_pp
        end as tolerance,
        y.source_file as yearbook_source_file,
        y.source_row as yearbook_source_row,
        c.source_file as communique_source_file,
        c.source_row as communique_source_row
    from yearbook y
    join communique c
        on c.area_code = y.area_code and c.year = y.year and c.metric = y.metric
    cross join params
    where y.edition = c.year + 1
)
select
    area_code,
    area_zh,
    year,
    metric,
    yearbook_vintage,
    yearbook_value,
    communique_vintage,
    communique_value,
    round(difference, 4) as difference,
    round(difference / nullif(communique_value, 0), 5) as relative_difference,
    round(tolerance, 4) as tolerance,
    yearbook_source_file,
    yearbook_source_row,
    communique_source_file,
    communique_source_row
from compared
-- rounded so that a gap of exactly the tolerance (2.57 vs 2.54) is not a float artefact
where round(abs(difference), 6) > tolerance
order by metric, year, area_code, yearbook_vintage, communique_vintage
