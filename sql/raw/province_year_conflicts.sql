-- Cells of the file being loaded (view `observations`) that contradict what is already stored:
-- the same area, year, metric and vintage with another value, in the warehouse or twice in
-- the file. A vintage is one release, so one figure per cell; a revision is a new vintage.
with incoming as (
    select area_code, year, metric, vintage, value, source_row, source_column, value_raw
    from observations
),
against_stored as (
    select i.source_row, i.source_column, i.value_raw,
           'contradicts ' || r.source_file || ' row ' || r.source_row || ' (' || r.value_raw
           || ') for the same vintage ' || i.vintage as reason
    from incoming i
    join raw.province_year r using (area_code, year, metric, vintage)
    where r.value <> i.value
),
within_file as (
    select i.source_row, i.source_column, i.value_raw,
           'the same area, year and metric appears again at row ' || j.source_row
           || ' with another value (' || j.value_raw || ')' as reason
    from incoming i
    join incoming j using (area_code, year, metric, vintage)
    where i.source_row > j.source_row and i.value <> j.value
)
select * from against_stored
union all
select * from within_file
order by source_row
