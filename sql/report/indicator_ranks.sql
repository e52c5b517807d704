-- The report's indicator values (pipelines/report): marts.indicator_value with each value's
-- rank among the provinces in its indicator-year (1 = best, on the normalised value, so the
-- indicator's direction is applied; NULL where there is no value) and how many were ranked.
-- Province pages list the indicators where a province ranks best and worst from it.
select
    v.province_code,
    v.year,
    v.indicator,
    v.pillar,
    v.raw_value,
    v.normalised_value,
    v.is_imputed,
    v.value_origin,
    v.is_synthetic,
    case
        when v.normalised_value is not null then
            rank() over (
                partition by v.indicator, v.year order by v.normalised_value desc nulls last
            )
    end as rank,
    count(v.normalised_value) over (partition by v.indicator, v.year) as ranked
from marts.indicator_value v
order by v.indicator, v.year, v.province_code
