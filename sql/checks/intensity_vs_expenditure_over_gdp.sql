-- check: intensity_vs_expenditure_over_gdp  table: staging.province_year  severity: warn
-- Cross-source: the published R&D intensity (%) should equal R&D expenditure / GDP x 100
-- computed from the panel, within 0.15 percentage points. A larger gap usually means the two
-- come from different GDP vintages (e.g. a communiqué computed on GDP before a census
-- revision): worth a look before comparing provinces, not an error in the data.
with params as (
    select 0.15 as tolerance_pp
),
intensity as (
    select province_code, year, value, source_file, source_row
    from {batch}
    where metric = 'rd_intensity'
),
expenditure as (
    select province_code, year, value from staging.province_year where metric = 'rd_expenditure'
),
gdp as (
    select province_code, year, value from staging.province_year where metric = 'gdp'
)
select
    i.province_code,
    i.year,
    i.value as published_intensity,
    round(e.value / g.value * 100, 3) as computed_intensity,
    round(i.value - e.value / g.value * 100, 3) as gap_pp,
    i.source_file,
    i.source_row
from intensity i
join expenditure e on e.province_code = i.province_code and e.year = i.year
join gdp g on g.province_code = i.province_code and g.year = i.year
cross join params
where g.value > 0 and abs(i.value - e.value / g.value * 100) > params.tolerance_pp
