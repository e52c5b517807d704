-- Every vintage of every province-, region- and national-year figure, newest first.
--
-- The vintage rule (documented in README.md, "Vintages"): for one area, year and metric, the
-- current figure is the one with the latest release date; a file with no release date counts
-- as released on the day it was loaded; ties go to the later load, then the later file name.
-- Earlier vintages stay here with is_current = false: nothing published is ever overwritten.
create or replace table staging.area_year_history as
with observations as (
    select *, coalesce(release_date, loaded_at::date) as effective_release_date
    from raw.province_year
),
ranked as (
    select
        *,
        row_number() over (
            partition by area_code, year, metric
            order by effective_release_date desc, loaded_at desc, source_file desc, source_row
        ) as vintage_rank,
        count(*) over (partition by area_code, year, metric) as vintage_count
    from observations
)
select
    r.area_code,
    r.area_level,
    a.name_zh as area_zh,
    r.year,
    r.metric,
    r.value,
    r.unit,
    r.vintage,
    r.release_date,
    r.effective_release_date,
    r.vintage_rank,
    r.vintage_count,
    r.vintage_rank = 1 as is_current,
    r.is_synthetic,
    r.citation,
    r.source_file,
    r.source_sheet,
    r.source_row,
    r.source_column,
    r.value_raw,
    r.unit_raw,
    r.area_raw,
    r.loaded_at
from ranked r
join reference.area a using (area_code)
order by r.area_code, r.metric, r.year, r.vintage_rank
