-- Cells of the file being loaded (view `observations`) that contradict another figure for the
-- same area, year, metric and vintage: one already stored, or the first occurrence earlier in
-- the same file. A vintage is one release, so one figure per cell; a revision is a new vintage.
-- These cells are quarantined, never stored. A repeat with the same value is not a conflict
-- (it is stored once, see insert_province_year.sql).
with incoming as (
    select area_code, year, metric, vintage, value, source_row, source_column, value_raw
    from observations
),
first_in_file as (
    select * from incoming
    qualify row_number() over (
        partition by area_code, year, metric, vintage order by source_row, source_column
    ) = 1
),
against_stored as (
    select i.source_row, i.source_column, i.value_raw, 'conflicts_with_stored' as rule,
           'contradicts ' || r.source_file || ' row ' || r.source_row || ' (' || r.value_raw
           || ') for the same vintage ' || i.vintage as reason
    from incoming i
    join raw.province_year r using (area_code, year, metric, vintage)
    where r.value <> i.value
),
within_file as (
    select i.source_row, i.source_column, i.value_raw, 'duplicate_key' as rule,
           'duplicate key (area, year, metric, vintage): first seen at row ' || f.source_row
           || ' with another value (' || f.value_raw || ')' as reason
    from incoming i
    join first_in_file f using (area_code, year, metric, vintage)
    where i.source_row > f.source_row and i.value <> f.value
),
conflicts as (
    select * from against_stored
    union all
    select * from within_file
)
-- a cell contradicting both the store and an earlier row is reported once
select * from conflicts
qualify row_number() over (partition by source_row, source_column order by rule) = 1
order by source_row, source_column
