-- Question (DESIGN §4, EIS-style performance groups, national mean = 100): in the latest year,
-- how many provinces are leaders (> 125), strong (100-125), moderate (70-100) and emerging
-- (< 70) on each pillar, and in which group is each Northeast province? With how much of the
-- scores rests on official (not synthetic) data: the mean and lowest official_share.
-- Tables: marts.pillar_score, reference.area.
with latest as (select max(year) as year from marts.pillar_score)
select
    s.pillar,
    s.year,
    count(*) filter (where s.performance_group = 'leader') as leaders,
    count(*) filter (where s.performance_group = 'strong') as strong,
    count(*) filter (where s.performance_group = 'moderate') as moderate,
    count(*) filter (where s.performance_group = 'emerging') as emerging,
    count(*) as provinces,
    round(avg(s.official_share), 3) as mean_official_share,
    round(min(s.official_share), 3) as min_official_share,
    any_value(s.performance_group) filter (where a.area_code = '210000') as liaoning,
    any_value(s.performance_group) filter (where a.area_code = '220000') as jilin,
    any_value(s.performance_group) filter (where a.area_code = '230000') as heilongjiang
from marts.pillar_score s
join latest using (year)
join reference.area a on a.area_code = s.province_code
group by s.pillar, s.year
order by s.pillar = 'overall', s.pillar;
