"""staging.patents: one row per CN application number."""

from pipelines.validation import expectations as e
from pipelines.validation.reference_rules import allowed_values, province_codes
from pipelines.validation.suite import TableSuite

TABLE = "patents"

# The check-character macros live in sql/macros (installed on the validation connection).
BAD_APPLICATION_NUMBER = """
select application_number, source_file, source_row
from {batch}
where not is_valid_cn_application_number(application_number)
"""
BAD_MAIN_IPC = """
select main_ipc, application_number, source_file, source_row
from {batch}
where not is_valid_ipc(main_ipc)
"""


def suite() -> TableSuite:
    return TableSuite(
        schema="staging",
        table=TABLE,
        description="one row per CN application number",
        blocking=[
            *e.primary_key("application_number"),
            *e.not_null("patent_type", "applicant_type", "province_code", "application_date"),
            e.in_set("patent_type", allowed_values("patents", "patent_type")),
            e.in_set("applicant_type", allowed_values("patents", "applicant_type")),
            e.in_set("co_applicant_type", allowed_values("patents", "co_applicant_type")),
            e.in_set("province_code", province_codes()),
            *e.within_data_years("application_year", "grant_year"),
            e.not_before("grant_date", "application_date"),
            *e.not_negative("transfer_events", "licence_events"),
        ],
        # A wrong check character or IPC symbol is a typo in one record: counts stay right.
        warn=[
            e.no_rows(
                "application numbers are CN + 12 digits + a correct check character",
                BAD_APPLICATION_NUMBER,
            ),
            e.no_rows("main IPC symbols look like 'B23K 37/02'", BAD_MAIN_IPC),
        ],
    )
