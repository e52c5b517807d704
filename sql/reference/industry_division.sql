-- GB/T 4754-2017 manufacturing divisions, with equipment manufacturing (33-40) marked.
-- Source of truth: data/reference/industry_divisions.csv.
create or replace table reference.industry_division as
select division, name_zh, name_en, is_equipment_manufacturing::boolean as is_equipment_manufacturing
from read_csv(?, header = true, all_varchar = true)
