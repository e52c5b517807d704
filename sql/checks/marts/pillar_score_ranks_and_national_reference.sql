-- Asset check of marts.pillar_score: per pillar and year, 31 scored provinces, ranks a
-- permutation of 1..31 and relative_to_national averaging to 100. One row per failing
-- pillar-year.
select
    pillar,
    year,
    count(*) as provinces,
    count(score) as scored,
    count(distinct rank) as distinct_ranks,
    min(rank) as min_rank,
    max(rank) as max_rank,
    avg(relative_to_national) as mean_relative
from marts.pillar_score
group by pillar, year
having count(*) <> 31
    or count(score) <> 31
    or count(distinct rank) <> 31
    or min(rank) <> 1
    or max(rank) <> 31
    or abs(avg(relative_to_national) - 100) > 1e-9
order by pillar, year
