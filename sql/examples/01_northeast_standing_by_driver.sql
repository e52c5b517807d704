-- Question (DESIGN §1, "read a report"): where does each Northeast province stand on each
-- innovation driver (D1..D8), each upgrading stage (S1..S3), the overall innovation impetus
-- index and the upgrading index in the latest year, how sure are we of the rank (5-95% Monte
-- Carlo rank interval), and how much of each score rests on official data (official_share:
-- the rest is synthetic demo micro data) and on observed rather than imputed values?
-- Names: each pillar's and index's own, from composite_settings.yaml (pillar_zh, pillar_en).
-- Tables: marts.pillar_score, reference.area.
with latest as (select max(year) as year from marts.pillar_score)
select
    a.short_zh as province,
    a.name_en as province_en,
    s.year,
    s.pillar,
    s.pillar_zh,
    s.pillar_en,
    round(s.score, 1) as score,
    s.rank,
    s.rank_p05,
    s.rank_p95,
    round(s.official_share, 3) as official_share,
    round(s.observed_share, 3) as observed_share,
    s.is_synthetic,
    round(s.relative_to_national, 1) as relative_to_national,
    s.performance_group
from marts.pillar_score s
join latest using (year)
join reference.area a on a.area_code = s.province_code
where a.is_northeast
order by a.nbs_order, s.pillar in ('overall', 'upgrading'), s.pillar;
