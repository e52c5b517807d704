"""Synthetic patent records, one row per CN application.

Per province and year, the records granted that year are the real grant count times a fixed
sampling fraction (inventions from the real invention grants); the records filed that year and
never granted follow the real applications minus grants. Filing dates come before grant dates
by a lag typical of the patent type. Records are made cell by cell (province x year x
granted/pending) from a random stream of their own, so chunked output is identical to
unchunked output and the work can be streamed at any scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipelines.demo.synthetic import vocab
from pipelines.demo.synthetic.building_blocks import (
    Stream,
    choose,
    date_array,
    days_since_epoch,
    join,
    random_days_in_year,
    rng_for,
    strings,
    year_of_days,
    zero_padded,
)
from pipelines.demo.synthetic.calibration import Calibration
from pipelines.demo.synthetic.enterprises import EnterpriseUniverse
from pipelines.demo.synthetic.identifiers import cn_application_numbers, scramble
from pipelines.demo.synthetic.panel import Panel, relative_to_national

SERIAL_SPACE = 10**7  # 7-digit serial per (application year, patent type)
# Filing years reach back before the panel's first year because early grants were filed then.
MAX_LAG_YEARS = 5
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class PatentCell:
    province: int
    year: int  # grant year of granted records, filing year of never-granted ones
    granted: bool
    counts: tuple[int, int, int]  # records by patent type (invention, utility model, design)

    @property
    def size(self) -> int:
        return sum(self.counts)

    def stream_keys(self) -> tuple[int, int, int]:
        return self.province, self.year, int(self.granted)


def plan_patents(panel: Panel, calibration: Calibration, scale: float) -> list[PatentCell]:
    fraction = scale / calibration.real_patents_per_record
    v = panel.values
    utility_share = _utility_share(panel)
    granted_total = np.rint(v["patent_grants"] * fraction)
    granted_invention = np.minimum(np.rint(v["invention_grants"] * fraction), granted_total)
    # Applications a year minus grants that year: the records that stay without a grant.
    never_granted = np.maximum(v["patent_applications"] - v["patent_grants"], 0)
    never_granted_invention_share = np.clip(
        np.divide(
            v["invention_applications"] - v["invention_grants"],
            never_granted,
            out=np.zeros_like(never_granted),
            where=never_granted > 0,
        ),
        0,
        1,
    )
    pending_total = np.rint(never_granted * fraction)
    pending_invention = np.rint(pending_total * never_granted_invention_share)

    cells = []
    for p in range(len(panel.provinces)):
        for granted, total, invention in (
            (True, granted_total, granted_invention),
            (False, pending_total, pending_invention),
        ):
            for y, year in enumerate(panel.years):
                others = int(total[p, y] - invention[p, y])
                utility = int(np.rint(others * utility_share[p, y]))
                cells.append(
                    PatentCell(
                        p, int(year), granted, (int(invention[p, y]), utility, others - utility)
                    )
                )
    return cells


def _utility_share(panel: Panel) -> np.ndarray:
    if panel.has("utility_model_grants") and panel.has("design_grants"):
        utility, design = panel.values["utility_model_grants"], panel.values["design_grants"]
        return np.divide(
            utility, utility + design, out=np.full_like(utility, 0.5), where=utility + design > 0
        )
    return np.full(panel.values["gdp"].shape, vocab.UTILITY_SHARE_OF_NON_INVENTION)


class PatentGenerator:
    """Yields arrow tables of about ``chunk_rows`` patents, cell after cell."""

    def __init__(
        self,
        panel: Panel,
        cells: list[PatentCell],
        universe: EnterpriseUniverse,
        seed: int,
        chunk_rows: int,
    ):
        self.panel, self.cells, self.universe = panel, cells, universe
        self.seed, self.chunk_rows = seed, chunk_rows
        self.first_key_year = int(panel.years[0]) - MAX_LAG_YEARS
        self.n_keys = (len(panel.years) + MAX_LAG_YEARS) * len(vocab.PATENT_TYPES)
        self.serial_offsets = self._serial_offsets()
        self.technology_market = _technology_market_factor(panel)
        self.applicant_names = pa.concat_arrays(
            [
                universe.names,
                _institution_names(panel, vocab.UNIVERSITY_SUFFIXES),
                _institution_names(panel, vocab.INSTITUTE_SUFFIXES),
            ]
        )

    def tables(self) -> Iterator[pa.Table]:
        batch: list[dict[str, np.ndarray]] = []
        rows = 0
        for index, cell in enumerate(self.cells):
            if cell.size == 0:
                continue
            batch.append(self._cell_columns(index, cell))
            rows += cell.size
            if rows >= self.chunk_rows:
                yield self._table(batch)
                batch, rows = [], 0
        if batch:
            yield self._table(batch)

    # --- dates and serials ------------------------------------------------------------------
    def _dates(self, cell: PatentCell):
        rng = rng_for(self.seed, Stream.PATENT_DATES, *cell.stream_keys())
        patent_type = np.repeat(np.arange(len(vocab.PATENT_TYPES)), cell.counts)
        year = np.full(cell.size, cell.year)
        if not cell.granted:
            return patent_type, random_days_in_year(rng, year), np.full(cell.size, -1)
        grant = random_days_in_year(rng, year)
        lag = np.empty(cell.size)
        for t, (median, sigma, low, high) in vocab.GRANT_LAG_YEARS.items():
            rows = patent_type == t
            drawn = rng.lognormal(np.log(median), sigma, rows.sum())
            # Tails are redrawn near the bound rather than piled onto it.
            near_bound = rng.uniform(0.9, 1.0, rows.sum())
            lag[rows] = np.where(
                drawn > high, high * near_bound, np.where(drawn < low, low / near_bound, drawn)
            )
        return patent_type, grant - np.rint(lag * DAYS_PER_YEAR).astype(np.int64), grant

    def _serial_key(self, patent_type, application_days):
        return (year_of_days(application_days) - self.first_key_year) * 3 + patent_type

    def _serial_offsets(self) -> np.ndarray:
        """First serial index of each cell in each (filing year, type) namespace.

        A first pass over the cheap date stream only, so that serials are unique across
        cells while each cell is still generated on its own in the second pass.
        """
        offsets = np.zeros((len(self.cells), self.n_keys), dtype=np.int64)
        running = np.zeros(self.n_keys, dtype=np.int64)
        for index, cell in enumerate(self.cells):
            offsets[index] = running
            if cell.size:
                patent_type, application, _ = self._dates(cell)
                running += np.bincount(
                    self._serial_key(patent_type, application), minlength=self.n_keys
                )
        if running.max(initial=0) >= SERIAL_SPACE:
            raise ValueError("scale too large: more than 10^7 applications in one year and type")
        return offsets

    # --- one cell -----------------------------------------------------------------------------
    def _cell_columns(self, index: int, cell: PatentCell) -> dict[str, np.ndarray]:
        panel, universe = self.panel, self.universe
        n = cell.size
        patent_type, application, grant = self._dates(cell)
        key = self._serial_key(patent_type, application)
        order = np.argsort(key, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        first_of_key = np.searchsorted(key[order], key[order], side="left")
        rank[order] = np.arange(n) - first_of_key
        serial_index = self.serial_offsets[index, key] + rank

        rng = rng_for(self.seed, Stream.PATENT_DETAILS, *cell.stream_keys())
        p = cell.province
        application_year = year_of_days(application)
        lookup_year = np.clip(application_year, panel.years[0], panel.years[-1])
        year_index = lookup_year - panel.years[0]
        applicant_type = choose(rng, vocab.APPLICANT_MIX[patent_type])
        firm = universe.applicant_pools.draw(p * len(panel.years) + year_index, rng.random(n))
        firm = np.where(applicant_type == vocab.ENTERPRISE, firm, -1)
        # A province-year without firms leaves its would-be firm patents to individuals.
        applicant_type = np.where(
            (applicant_type == vocab.ENTERPRISE) & (firm < 0), vocab.INDIVIDUAL, applicant_type
        )
        n_firms = len(universe.names)
        n_universities = len(vocab.UNIVERSITY_SUFFIXES)
        n_institutes = len(vocab.INSTITUTE_SUFFIXES)
        name_index = np.select(
            [applicant_type == vocab.ENTERPRISE, applicant_type == vocab.UNIVERSITY],
            [firm, n_firms + p * n_universities + _few_large(rng, n_universities, n)],
            n_firms
            + len(panel.provinces) * n_universities
            + p * n_institutes
            + _few_large(rng, n_institutes, n),
        )

        equipment_firm = (firm >= 0) & universe.is_equipment[np.maximum(firm, 0)]
        equipment_ipc = rng.random(n) < np.where(
            equipment_firm,
            vocab.EQUIPMENT_IPC_SHARE_EQUIPMENT_FIRM,
            vocab.EQUIPMENT_IPC_SHARE_OTHER,
        )
        subclass = np.where(
            equipment_ipc,
            rng.integers(0, len(vocab.EQUIPMENT_IPC), n),
            len(vocab.EQUIPMENT_IPC) + rng.integers(0, len(vocab.GENERAL_IPC), n),
        )

        market = self.technology_market[p, year_index]
        has_co = rng.random(n) < vocab.CO_APPLICANT_RATE[applicant_type] * np.sqrt(market)
        co_type = np.where(has_co, choose(rng, vocab.CO_APPLICANT_MIX[applicant_type]), -1)

        granted = grant >= 0
        end_of_panel = days_since_epoch(int(panel.years[-1]), 12, 31)
        years_held = np.where(granted, (end_of_panel - grant) / DAYS_PER_YEAR, 0.0)
        transfer_rate = vocab.TRANSFER_RATE_PER_YEAR[applicant_type] * market * years_held
        return {
            "application_year": application_year,
            "patent_type": patent_type,
            "serial": _serial(serial_index, key),
            "application": application,
            "grant": grant,
            "applicant_type": applicant_type,
            "name_index": name_index,
            "individual": rng.integers(1, 10**6, n),
            "province": np.full(n, p),
            "subclass": subclass,
            "group": rng.integers(1, 51, n),
            "subgroup": 2 * rng.integers(0, 25, n),
            "co_type": co_type,
            "transfers": rng.poisson(transfer_rate),
            "licences": rng.poisson(transfer_rate * vocab.LICENCE_SHARE_OF_TRANSFERS),
        }

    # --- columns -> table ----------------------------------------------------------------------
    def _table(self, batch: list[dict[str, np.ndarray]]) -> pa.Table:
        c = {k: np.concatenate([cells[k] for cells in batch]) for k in batch[0]}
        n = len(c["patent_type"])
        provinces = self.panel.provinces
        individual = c["applicant_type"] == vocab.INDIVIDUAL
        individual_names = join(
            vocab.SYNTHETIC_PREFIX,
            strings(np.array(provinces.short_names), c["province"]),
            "个人申请人",
            zero_padded(c["individual"], 6),
        )
        institutional_names = self.applicant_names.take(
            pa.array(np.where(individual, 0, c["name_index"]))
        )
        has_co = c["co_type"] >= 0
        return pa.table(
            {
                "application_number": cn_application_numbers(
                    c["application_year"], vocab.PATENT_TYPE_DIGIT[c["patent_type"]], c["serial"]
                ),
                "patent_type": strings(vocab.PATENT_TYPES, c["patent_type"]),
                "application_date": date_array(c["application"]),
                "grant_date": date_array(np.maximum(c["grant"], 0), missing=c["grant"] < 0),
                "applicant": pa.compute.if_else(
                    pa.array(individual), individual_names, institutional_names
                ),
                "applicant_type": strings(vocab.APPLICANT_TYPES, c["applicant_type"]),
                "province": strings(np.array(provinces.names), c["province"]),
                "main_ipc": join(
                    strings(vocab.IPC_SUBCLASSES, c["subclass"]),
                    " ",
                    pa.array(c["group"]).cast(pa.string()),
                    "/",
                    zero_padded(c["subgroup"], 2),
                ),
                "has_co_applicant": pa.array(has_co),
                "co_applicant_type": pa.array(
                    vocab.APPLICANT_TYPES.tolist(), type=pa.string()
                ).take(pa.array(np.maximum(c["co_type"], 0), mask=~has_co)),
                "transfer_events": pa.array(c["transfers"].astype(np.int32)),
                "licence_events": pa.array(c["licences"].astype(np.int32)),
                "is_synthetic": pa.array(np.ones(n, dtype=bool)),
            }
        )


def _serial(serial_index: np.ndarray, key: np.ndarray) -> np.ndarray:
    """7-digit serial: a bijection of the running index within each (filing year, type), with
    an offset per namespace so different years do not start from the same number."""
    offset = (key * 7_777_777 + 2_718_281) % SERIAL_SPACE
    return (scramble(serial_index, SERIAL_SPACE, 3_141_593, 0) + offset) % SERIAL_SPACE


def _technology_market_factor(panel: Panel) -> np.ndarray:
    """Technology-market turnover / GDP relative to national, damped and bounded: where
    technology trades more, patents are co-filed, transferred and licensed more."""
    if not panel.has("tech_market_turnover"):
        return np.ones(panel.values["gdp"].shape)
    relative = relative_to_national(panel, "tech_market_turnover")
    return np.clip(np.sqrt(relative), 0.3, 3.0)


def _institution_names(panel: Panel, suffixes: np.ndarray) -> pa.Array:
    """合成样本·辽宁理工大学 ...: a fixed set of institutions per province."""
    names = [
        f"{vocab.SYNTHETIC_PREFIX}{short}{suffix}"
        for short in panel.provinces.short_names
        for suffix in suffixes
    ]
    return pa.array(names, type=pa.string())


def _few_large(rng, k: int, n: int) -> np.ndarray:
    """Index in [0, k) with Zipf weights: a few large universities or institutes file most."""
    weights = 1.0 / np.arange(1, k + 1)
    return rng.choice(k, n, p=weights / weights.sum())
