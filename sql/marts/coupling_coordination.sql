-- Coupling-coordination degree between the innovation-driver system (the overall index) and
-- the upgrading system (the upgrading index over S1..S3), per province and year, from
-- coupling_rows (registered by pipelines/indicators/warehouse.py with
-- pipelines.composite.coupling: C = geometric / arithmetic mean of U, T = mean of U,
-- D = sqrt(C T), U = score / 100; ten equal bands of D).
create or replace table marts.coupling_coordination as
select
    province_code,
    year::integer as year,
    driver_index::double as driver_index,
    upgrading_index::double as upgrading_index,
    coupling::double as coupling,
    development::double as development,
    coordination::double as coordination,
    band
from coupling_rows
order by year, province_code
