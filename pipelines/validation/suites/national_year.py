"""staging.national_year: 全国 and the four NBS regions, kept apart from the provinces."""

from pipelines.readers.catalog import CATALOGUED, UNCATALOGUED
from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import area_codes, metrics_in_unit
from pipelines.validation.suite import PANEL_EXAMPLE_COLUMNS, TableSuite
from pipelines.validation.suites.province_year import (
    RD_INTENSITY_MAX_PERCENT,
    uncatalogued_metrics,
)

TABLE = "national_year"


def suite() -> TableSuite:
    return TableSuite(
        example_columns=PANEL_EXAMPLE_COLUMNS,
        schema="staging",
        table=TABLE,
        description="one current figure per national/regional area, year and metric",
        blocking=[
            *e.primary_key("area_code", "year", "metric"),
            *e.not_null("value", "unit", "source_file", "metric_status"),
            e.in_set("metric_status", (CATALOGUED, UNCATALOGUED)),
            e.in_set("area_code", area_codes("national", "region")),
            *e.within_data_years("year"),
            # Catalog facts: these skip uncatalogued metrics, which metrics.csv does not list.
            *e.at_or_above_metric_minimum("value"),
            *e.in_catalog_unit("unit"),
            e.between("value", 0, RD_INTENSITY_MAX_PERCENT, where_metric=["rd_intensity"]),
            e.between("value", 0, 100, where_metric=metrics_in_unit("%")),
        ],
        warn=[uncatalogued_metrics("area_code")],
    )
