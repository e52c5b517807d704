-- Question (DESIGN §2 D6 technology, "patent transfers/licences (conversion)"): what share of
-- the patents granted each year has been transferred or licensed, in each Northeast province
-- and in all provinces together, and how many invention patents were granted?
-- Synthetic micro records on the demo.
-- Tables: staging.patents, reference.area.
with granted as (
    select
        p.grant_year as year,
        a.short_zh as province,
        a.nbs_order,
        a.is_northeast,
        p.patent_type,
        coalesce(p.transfer_events, 0) + coalesce(p.licence_events, 0) > 0 as is_converted
    from staging.patents p
    join reference.area a on a.area_code = p.province_code
    where p.grant_year is not null
)
select
    year,
    coalesce(province, '31省合计 all provinces') as area,
    count(*) as granted,
    count(*) filter (where patent_type = 'invention') as invention_granted,
    count(*) filter (where is_converted) as converted,
    round(100 * count(*) filter (where is_converted) / count(*), 2) as conversion_rate_pct
from granted
group by grouping sets ((year, province, nbs_order, is_northeast), (year))
having province is null or bool_and(is_northeast)
order by year, province is null, min(nbs_order);
