-- Scratch table (temporary, one connection) that pipelines/indicators/compute.py fills with
-- the result of every catalog formula in sql/indicators/, before the engine runs.
create or replace temp table indicator_raw (
    indicator varchar,
    province_code varchar,
    year integer,
    value double,
    source_rows varchar
)
