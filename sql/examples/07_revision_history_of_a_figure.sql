-- Question (DESIGN §3, "never silently overwrite a published number with another vintage"):
-- what is the revision history of one figure (here Liaoning's R&D intensity and R&D
-- expenditure, every year), i.e. every vintage that published it, which one is current and
-- where each came from? Change the area_code / metric to trace another figure.
-- Tables: staging.area_year_history.
select
    area_zh,
    year,
    metric,
    vintage,
    release_date,
    effective_release_date,
    value,
    unit,
    vintage_rank,
    vintage_count,
    is_current,
    citation,
    source_file,
    source_row
from staging.area_year_history
where area_code = '210000'
  and metric in ('rd_intensity', 'rd_expenditure')
order by metric, year, vintage_rank;
