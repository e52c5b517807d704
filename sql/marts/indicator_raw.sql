-- Scratch table (temporary, one connection) that pipelines/indicators/compute.py fills with
-- the result of every catalog formula in sql/indicators/, before the engine runs. source_rows
-- is the value's lineage as the lineage macro builds it (sql/marts/indicator_macros.sql);
-- compute.py refuses a formula whose source_rows has another type.
create or replace temp table indicator_raw (
    indicator varchar,
    province_code varchar,
    year integer,
    value double,
    source_rows struct(source_file varchar, source_row bigint)[]
)
