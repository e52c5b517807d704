-- Question (DESIGN §2, seed 002 headline facts): how much do the three Northeast provinces
-- spend on R&D together, and what is their R&D intensity, against Jiangsu (the benchmark
-- province) and the national figure? Seed 002 says for 2023: 111.59 bn yuan, 26.5% of
-- Jiangsu; intensity about 1.74% against the national 2.65%.
-- Tables: marts.northeast_view (rd_expenditure in 亿元, rd_intensity in %).
select
    year,
    metric,
    unit,
    northeast_basis,
    round(northeast_value, 2) as northeast_value,
    round(benchmark_value, 2) as jiangsu_value,
    round(northeast_pct_of_benchmark, 1) as northeast_pct_of_jiangsu,
    round(national_value, 2) as national_value,
    national_basis,
    round(northeast_pct_of_national, 1) as northeast_pct_of_national,
    source_rows
from marts.northeast_view
where metric in ('rd_expenditure', 'rd_intensity')
order by metric, year;
