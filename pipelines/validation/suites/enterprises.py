"""staging.enterprises: one row per unified social credit code and year."""

from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import (
    allowed_values,
    industry_divisions,
    province_codes,
)
from pipelines.validation.suite import TableSuite

TABLE = "enterprises"

BAD_CREDIT_CODE = """
select credit_code, year, source_file, source_row
from {batch}
where not is_valid_usc(credit_code)
"""

BAD_INDUSTRY_CODE = """
select credit_code, year, industry_code, source_file, source_row
from {batch}
where not regexp_full_match(industry_code, '[0-9]{{4}}')
"""


def suite() -> TableSuite:
    return TableSuite(
        schema="staging",
        table=TABLE,
        description="one row per credit code and year",
        blocking=[
            *e.primary_key("credit_code", "year"),
            *e.not_null("province_code", "industry_code", "ownership", "employees", "revenue"),
            e.in_set("province_code", province_codes()),
            e.in_set("ownership", allowed_values("enterprises", "ownership")),
            # The equipment-manufacturing flag is read through the division.
            e.in_set("industry_division", industry_divisions()),
            # GX's regex expectation has no DuckDB dialect, so the format is a row query.
            e.no_rows("industry codes are 4-digit GB/T 4754 classes", BAD_INDUSTRY_CODE),
            *e.within_data_years("year"),
            # Profit is the one money column that may be negative.
            *e.not_negative(
                "employees",
                "rd_personnel",
                "revenue",
                "new_product_revenue",
                "rd_expenditure",
                "value_added",
            ),
        ],
        warn=[
            e.no_rows("credit codes have a correct GB 32100-2015 check character", BAD_CREDIT_CODE),
            e.no_rows(
                "R&D personnel do not outnumber employees",
                "select credit_code, year, employees, rd_personnel, source_file, source_row"
                " from {batch} where rd_personnel > employees",
            ),
            e.no_rows(
                "new-product revenue does not exceed revenue",
                "select credit_code, year, revenue, new_product_revenue, source_file, source_row"
                " from {batch} where new_product_revenue > revenue",
            ),
        ],
    )
