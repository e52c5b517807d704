"""staging.procurement: one row per contract id."""

from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import allowed_values, province_codes
from pipelines.validation.suite import TableSuite

TABLE = "procurement"


def suite() -> TableSuite:
    return TableSuite(
        schema="staging",
        table=TABLE,
        description="one row per contract id",
        blocking=[
            *e.primary_key("contract_id"),
            *e.not_null(
                "buyer_type",
                "buyer_province_code",
                "supplier_province_code",
                "amount",
                "award_date",
                "category",
            ),
            e.in_set("buyer_type", allowed_values("procurement", "buyer_type")),
            e.in_set("category", allowed_values("procurement", "category")),
            e.in_set("buyer_province_code", province_codes()),
            e.in_set("supplier_province_code", province_codes()),
            *e.not_negative("amount"),
            *e.within_data_years("award_year"),
        ],
        # A contract of 0 元 is legal but usually a placeholder or a missing amount.
        warn=[
            e.no_rows(
                "contract amounts are above zero",
                "select contract_id, amount, source_file, source_row from {batch} where amount = 0",
            )
        ],
    )
