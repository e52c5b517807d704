-- Question (DESIGN §1, "how sure we are of the ranking"): which provinces' overall rank is
-- uncertain in the latest year, i.e. moves a lot with the method choices (a wide 5-95% Monte
-- Carlo rank interval)? Widest first; 5 rank places or more counts as uncertain here. With
-- the share of each score resting on official (not synthetic) data, which the rank needs.
-- Tables: marts.pillar_score, reference.area.
with latest as (select max(year) as year from marts.pillar_score)
select
    a.short_zh as province,
    a.name_en as province_en,
    s.year,
    s.rank,
    s.rank_p05,
    s.rank_p50,
    s.rank_p95,
    s.rank_p95 - s.rank_p05 as interval_width,
    round(s.official_share, 3) as official_share,
    s.performance_group
from marts.pillar_score s
join latest using (year)
join reference.area a on a.area_code = s.province_code
where s.pillar = 'overall'
  and s.rank_p95 - s.rank_p05 >= 5
order by interval_width desc, s.rank;
