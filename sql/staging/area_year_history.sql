-- Every vintage of every province-, region- and national-year figure, newest first.
--
-- The vintage rule (documented in README.md, "Vintages", and docs/loading.md, "Which release
-- is current"): for one area, year and metric, the current figure is the one with the latest
-- release date, that date being what the file itself states; else what nbs_file_metrics.csv
-- gives the file now (staging.file_release: an edited date applies to files loaded before);
-- else a yearbook edition's 31 December; else 31 December after the file's newest data year.
-- Ties go to the later load, then the later file name. Earlier vintages stay here with
-- is_current = false: nothing published is ever overwritten.
create or replace table staging.area_year_history as
with observations as (
    select
        r.*,
        -- rows loaded before the basis was recorded: a date they carry was stated
        coalesce(r.release_date_basis, case when r.release_date is not null then 'stated' end)
            as stated_basis,
        f.mapped_release_date,
        f.mapping_pattern,
        f.newest_year,
        f.inferred_release_date
    from raw.province_year r
    join staging.file_release f using (file_sha256)
),
dated as (
    select
        * exclude (mapped_release_date, mapping_pattern, newest_year, inferred_release_date),
        case
            when stated_basis = 'stated' then release_date
            when mapped_release_date is not null then mapped_release_date
            when stated_basis = 'edition' then release_date
            else inferred_release_date
        end as effective_release_date,
        case
            when stated_basis = 'stated' then 'stated in the file'
            when mapped_release_date is not null
                then 'nbs_file_metrics.csv (' || mapping_pattern || ')'
            when stated_basis = 'edition' then 'yearbook edition, 31 December'
            else 'inferred: newest year ' || newest_year || ' in the file'
        end as release_date_basis_shown
    from observations
),
ranked as (
    select
        *,
        row_number() over (
            partition by area_code, year, metric
            order by effective_release_date desc, loaded_at desc, source_file desc, source_row
        ) as vintage_rank,
        count(*) over (partition by area_code, year, metric) as vintage_count
    from dated
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
    r.release_date_basis_shown as release_date_basis,
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
