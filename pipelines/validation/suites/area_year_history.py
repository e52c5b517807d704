"""staging.area_year_history: every vintage of every area-year figure, ranked."""

from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import area_codes
from pipelines.validation.suite import PANEL_EXAMPLE_COLUMNS, TableSuite

TABLE = "area_year_history"

# The vintage rule must pick exactly one current figure per area, year and metric: none
# drops the figure from the panel, two would duplicate it.
NOT_ONE_CURRENT_VINTAGE = """
select area_code, year, metric, count(*) filter (where is_current) as current_vintages,
       min(source_file) as source_file, min(source_row) as source_row
from {batch}
group by area_code, year, metric
having count(*) filter (where is_current) <> 1
"""


def suite() -> TableSuite:
    return TableSuite(
        example_columns=PANEL_EXAMPLE_COLUMNS,
        schema="staging",
        table=TABLE,
        description="one row per area, year, metric and vintage",
        blocking=[
            *e.primary_key("area_code", "year", "metric", "vintage"),
            *e.not_null("value", "source_file", "is_current"),
            e.in_set("area_code", area_codes()),
            *e.within_data_years("year"),
            *e.at_or_above_metric_minimum("value"),
            e.between("vintage_rank", min_value=1),
            e.no_rows(
                "exactly one current vintage per area, year and metric", NOT_ONE_CURRENT_VINTAGE
            ),
        ],
    )
