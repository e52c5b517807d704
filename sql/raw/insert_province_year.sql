-- Append the cells of one file (view `observations`) except those quarantined as conflicts
-- (temp table `conflicting_cells`); a cell already stored for the same vintage with the same
-- value is not stored twice, so re-loading a release changes nothing.
insert into raw.province_year (
    area_code, area_level, area_raw, year, metric, value, unit, value_raw, unit_raw, vintage,
    release_date, citation, is_synthetic, source_file, file_sha256, source_row, source_column,
    loaded_at, source_sheet, release_date_basis
)
select
    o.area_code, o.area_level, o.area_raw, o.year, o.metric, o.value, o.unit, o.value_raw,
    o.unit_raw, o.vintage, o.release_date, o.citation, o.is_synthetic,
    $source_file, $file_sha256, o.source_row, o.source_column, $loaded_at, o.source_sheet,
    o.release_date_basis
from observations o
where not exists (
    select 1 from raw.province_year r
    where r.area_code = o.area_code and r.year = o.year and r.metric = o.metric
      and r.vintage = o.vintage
)
and not exists (
    select 1 from conflicting_cells c
    where c.source_row = o.source_row and c.source_column = o.source_column
)
-- the same cell twice in one file with the same value: keep its first row
qualify row_number() over (
    partition by o.area_code, o.year, o.metric, o.vintage order by o.source_row
) = 1
