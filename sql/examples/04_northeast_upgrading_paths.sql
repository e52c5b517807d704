-- Question (DESIGN §1, "which upgrading path fits it"; seed 001 §3): which upgrading stage is
-- each Northeast province in, in the latest year, which of the three upgrading paths is
-- recommended, how well does each path fit (0-1), and why?
-- Tables: marts.upgrading_path, reference.area.
with latest as (select max(year) as year from marts.upgrading_path)
select
    a.short_zh as province,
    a.name_en as province_en,
    u.year,
    u.stage,
    u.recommended_path,
    u.fit_key_common_technologies,
    u.fit_chain_optimisation,
    u.fit_innovation_platform,
    u.reason_zh,
    u.reason_en
from marts.upgrading_path u
join latest using (year)
join reference.area a on a.area_code = u.province_code
where a.is_northeast
order by a.nbs_order;
