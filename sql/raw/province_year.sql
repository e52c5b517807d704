-- Province-year observations exactly as read, one row per cell of a source table, with lineage.
-- Values are already in the metric's catalog unit (value_raw/unit_raw keep what the file said).
-- Key: (area_code, year, metric, vintage); a revised figure arrives as another vintage.
create table if not exists raw.province_year (
    area_code varchar not null,      -- GB/T 2260 code, '000000' national, CN-EAST etc. regions
    area_level varchar not null,     -- province | region | national
    area_raw varchar not null,       -- the name as written in the file
    year integer not null,
    metric varchar not null,         -- id from data/reference/metrics.csv, or the compacted name
                                     -- of an NBS indicator it lacks (uncatalogued, see staging)
    value double not null,           -- in the metric's catalog unit (uncatalogued: the file's)
    unit varchar not null,
    value_raw varchar not null,
    unit_raw varchar,
    vintage varchar not null,        -- which release the figure comes from
    release_date date,
    citation varchar,
    is_synthetic boolean not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row integer not null,
    source_column varchar not null,
    loaded_at timestamp not null,
    source_sheet varchar,            -- the worksheet, for spreadsheets; NULL for text files
    release_date_basis varchar       -- stated | mapping | edition (pipelines/readers/observations.py)
);
-- Warehouses created before the column existed get it (NULL for what they hold).
alter table raw.province_year add column if not exists source_sheet varchar;
alter table raw.province_year add column if not exists release_date_basis varchar;
