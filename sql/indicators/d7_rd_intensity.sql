-- D7 funding: R&D经费投入强度 (%), R&D expenditure / gross regional product as published in the
-- R&D communiqué. Source: staging.province_year (rd_intensity, %).
select
    p.province_code,
    p.year,
    p.value,
    (
        select lineage(source_file, source_row)
        from (values (p.source_file, p.source_row)) as used (source_file, source_row)
    ) as source_rows
from staging.province_year p
where p.metric = 'rd_intensity'
