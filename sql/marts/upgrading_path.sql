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

comment on table marts.upgrading_path is 'Upgrading stage and recommended upgrading path per province-year (seed 001 §2-3); rules in data/reference/upgrading_paths.csv';
comment on column marts.upgrading_path.province_code is 'GB/T 2260 province code';
comment on column marts.upgrading_path.year is 'Year';
comment on column marts.upgrading_path.stage is 'factor | value_chain | industrial_structure: the stage gates of the rules file cleared, cumulatively';
comment on column marts.upgrading_path.recommended_path is 'key_common_technologies | chain_optimisation | innovation_platform: highest fit; ties to the path serving the stage, then file order';
comment on column marts.upgrading_path.fit_key_common_technologies is 'Weighted share (0-1) of the key-common-technologies conditions met';
comment on column marts.upgrading_path.fit_chain_optimisation is 'Weighted share (0-1) of the supporting-chain-optimisation conditions met';
comment on column marts.upgrading_path.fit_innovation_platform is 'Weighted share (0-1) of the innovation-platform conditions met';
comment on column marts.upgrading_path.reason_zh is '阶段与推荐路径的理由：满足与不满足的条件及数值';
comment on column marts.upgrading_path.reason_en is 'Why: the stage gates and the recommended path''s conditions met and not met, with values';
comment on column marts.upgrading_path.rules_sha256 is 'sha256 of the rules file the row was computed with';
