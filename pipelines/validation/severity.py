"""How much a failed expectation matters."""

from enum import StrEnum


class Severity(StrEnum):
    # The failure makes downstream numbers wrong: downstream assets must not run.
    BLOCKING = "blocking"
    # A doubtful value a person should look at; downstream assets still run.
    WARN = "warn"
