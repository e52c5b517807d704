-- Table macros the indicator formulas in sql/indicators/ may call; pipelines/indicators/compute.py
-- installs them (TEMP: one connection, the warehouse catalog is not changed) before running
-- the formulas. On the published copy, run this file first to try a formula by hand.

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
