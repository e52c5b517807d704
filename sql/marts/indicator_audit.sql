-- Statistical audit of the catalog on the published build (Handbook step 7, COINr get_corr /
-- get_cronbach): each indicator's and pillar's Pearson correlation with its own parent over all
-- province-years, flagged when negative, and the Cronbach's alpha of the parent's children.
-- From audit_rows (registered by pipelines/indicators/warehouse.py).
create or replace table marts.indicator_audit as
select
    code,
    parent,
    level::integer as level,
    correlation_with_parent::double as correlation_with_parent,
    negative_correlation::boolean as negative_correlation,
    parent_cronbach_alpha::double as parent_cronbach_alpha
from audit_rows
order by level, parent, code
