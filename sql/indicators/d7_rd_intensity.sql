-- D7 funding: R&D经费投入强度 (%), R&D expenditure / gross regional product as published in the
-- R&D communiqué. Source: staging.province_year (rd_intensity, %).
select
    province_code,
    year,
    value,
    source_file || ':' || source_row as source_rows
from staging.province_year
where metric = 'rd_intensity'
