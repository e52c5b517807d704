-- Question (DESIGN §1, "read a report"): where does each Northeast province stand on each
-- innovation driver (D1..D8), each upgrading stage (S1..S3) and the overall index in the
-- latest year, and how sure are we of the rank (5-95% Monte Carlo rank interval)?
-- Tables: marts.pillar_score, reference.area, marts.indicator (pillar names).
with latest as (select max(year) as year from marts.pillar_score),
pillar_names as (
    select distinct pillar, pillar_zh, pillar_en from marts.indicator
)
select
    a.short_zh as province,
    a.name_en as province_en,
    s.year,
    s.pillar,
    coalesce(n.pillar_zh, '创新驱动综合指数') as pillar_zh,
    coalesce(n.pillar_en, 'overall innovation impetus index') as pillar_en,
    round(s.score, 1) as score,
    s.rank,
    s.rank_p05,
    s.rank_p95,
    round(s.relative_to_national, 1) as relative_to_national,
    s.performance_group
from marts.pillar_score s
join latest using (year)
join reference.area a on a.area_code = s.province_code
left join pillar_names n on n.pillar = s.pillar
where a.is_northeast
order by a.nbs_order, s.pillar = 'overall', s.pillar;
