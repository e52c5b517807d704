-- Question (DESIGN §2, seed 002 "NE holds under 5% of national high-tech enterprises"): what
-- share of the country's high-tech enterprises, of all enterprises and of invention patent
-- grants are in the three Northeast provinces, each year? (High-tech enterprise counts are
-- aggregates of the synthetic micro records on the demo: is_synthetic.)
-- Tables: marts.northeast_view.
select
    year,
    metric,
    unit,
    northeast_value,
    national_value,
    national_basis,
    round(northeast_pct_of_national, 2) as northeast_pct_of_national,
    is_synthetic
from marts.northeast_view
where metric in ('high_tech_enterprises', 'enterprises', 'invention_grants')
order by metric, year;
