-- The indicator catalog as a table: data/reference/indicators.csv (validated by
-- pipelines/indicators/catalog.py, registered as indicator_catalog) with the pillar names from
-- data/reference/composite_settings.yaml (registered as pillar_names).
create or replace table marts.indicator as
select
    c.id as indicator,
    c.name_zh,
    c.name_en,
    c.unit,
    c.direction::integer as direction,
    c.pillar,
    p.name_zh as pillar_zh,
    p.name_en as pillar_en,
    c."index" as composite_index,
    c.weight::double as weight,
    c.formula as formula_file,
    c.source,
    c.is_synthetic::boolean as is_synthetic
from indicator_catalog c
join pillar_names p on p.pillar = c.pillar
order by c.pillar, c.id
