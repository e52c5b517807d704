-- Macros the indicator formulas in sql/indicators/ may call; pipelines/indicators/compute.py
-- installs them (TEMP: one connection, the warehouse catalog is not changed) before running
-- the formulas, and sql/marts/indicator_value.sql uses lineage on the same connection. On the
-- published copy, run this file first to try a formula by hand.

-- A province-year metric of staging.province_year in the base unit of its dimension (元 for
-- money, 人 for persons, …): value times the factor of its unit in reference.unit, with the
-- row's lineage. Divide one by another and the units cancel whatever each was stored in.
create or replace temp macro metric_in_base_unit(metric_id) as table
    select
        p.province_code,
        p.year,
        p.value * u.factor as base_value,
        p.source_file,
        p.source_row
    from staging.province_year p
    join reference.unit u on u.unit = p.unit
    where p.metric = metric_id;

-- The lineage of a value, the source_rows column of every formula: an aggregate over the
-- warehouse rows the value was computed from, giving each distinct (source_file, source_row)
-- once as a list(struct(source_file varchar, source_row bigint)), ordered by file then row.
-- A formula over aggregated rows calls it in its group by; a formula joining single rows calls
-- it over those rows: (select lineage(source_file, source_row) from (values (n.source_file,
-- n.source_row), (d.source_file, d.source_row)) as used (source_file, source_row)).
create or replace temp macro lineage(source_file, source_row) as
    list_sort(list_distinct(list(
        struct_pack(source_file := source_file::varchar, source_row := source_row::bigint)
    )));
