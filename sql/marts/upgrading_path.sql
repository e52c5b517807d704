-- marts.upgrading_path: one row per province-year, its upgrading stage and recommended path.
-- Rows come from pipelines.upgrading.assess (registered as upgrading_path_rows), which applies
-- the rules of data/reference/upgrading_paths.csv to marts.pillar_score.
-- Method: docs/methodology.md, "Upgrading stage and path".
create or replace table marts.upgrading_path as
select
    cast(province_code as varchar) as province_code,
    cast(year as integer) as year,
    cast(stage as varchar) as stage,
    cast(recommended_path as varchar) as recommended_path,
    cast(fit_key_common_technologies as double) as fit_key_common_technologies,
    cast(fit_chain_optimisation as double) as fit_chain_optimisation,
    cast(fit_innovation_platform as double) as fit_innovation_platform,
    cast(reason_zh as varchar) as reason_zh,
    cast(reason_en as varchar) as reason_en,
    cast(rules_sha256 as varchar) as rules_sha256
from upgrading_path_rows
order by province_code, year;
