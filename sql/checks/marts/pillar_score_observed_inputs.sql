-- WARN asset check of marts.pillar_score: the scores built from imputed values alone
-- (observed_share = 0: no indicator of the pillar observed in that province-year, every input
-- interpolated, carried forward or filled with the earliest observed value). One row per such
-- score, with the indicators and how each value was obtained (marts.indicator_value
-- value_origin); index rows (overall, upgrading) are listed when none of their inputs is
-- observed.
select
    s.pillar,
    s.province_code,
    s.year,
    s.score,
    string_agg(v.indicator || ': ' || v.value_origin, '; ' order by v.indicator) as inputs
from marts.pillar_score s
left join marts.indicator_value v
    on v.pillar = s.pillar and v.province_code = s.province_code and v.year = s.year
    and v.normalised_value is not null
where s.score is not null and s.observed_share = 0
group by s.pillar, s.province_code, s.year, s.score
order by s.pillar, s.province_code, s.year
