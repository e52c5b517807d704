-- Units and their conversion factors within a dimension (money, count, persons, ...).
-- Source of truth: data/reference/units.csv (the readers convert with the same file).
create or replace table reference.unit as
select unit, dimension, factor::double as factor, aliases
from read_csv(?, header = true, all_varchar = true)
