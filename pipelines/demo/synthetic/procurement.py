"""Synthetic procurement contracts, one row per contract.

Per province-year, government contracts follow the real local fiscal S&T expenditure,
chain-leader (central SOE) contracts follow GDP weighted by the region's central-SOE presence,
local-SOE and private contracts follow GDP. Chain leaders place a share of their contract
value with suppliers of their own province drawn from the published range (about 40% in the
Northeast, more elsewhere); the share is met by value, not just by count.
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
    join,
    random_days_in_year,
    rng_for,
    strings,
    zero_padded,
)
from pipelines.demo.synthetic.calibration import Calibration
from pipelines.demo.synthetic.enterprises import EnterpriseUniverse
from pipelines.demo.synthetic.panel import Panel, relative_rd_intensity

MAX_AMOUNT_YUAN = 5e9
# Chance that an equipment or parts contract goes to an equipment manufacturer (else to any
# firm), and that any other contract does.
EQUIPMENT_SUPPLIER_RATE = (0.85, 0.35)


# Buyer names used when the enterprise sample has no firm of the buyer's kind in that
# province-year, in the order central SOE, local SOE, private.
STAND_IN_BUYERS = ("链长央企驻地单位", "国有资本投资运营有限公司", "民营制造企业")


def ownership_stand_in(buyer_type: np.ndarray) -> np.ndarray:
    return np.select(
        [buyer_type == vocab.CENTRAL_SOE_BUYER, buyer_type == vocab.LOCAL_SOE_BUYER], [0, 1], 2
    )


@dataclass(frozen=True)
class ProcurementPlan:
    counts: np.ndarray  # int [province, year, buyer type]
    local_share_target: np.ndarray  # [province, year]: chain leaders' local share of value


def plan_procurement(
    panel: Panel, calibration: Calibration, scale: float, seed: int
) -> ProcurementPlan:
    gdp = panel.values["gdp"]
    fiscal = panel.values.get("local_fiscal_st_expenditure", gdp)
    # Chain leaders weigh more where central SOEs are a larger part of the economy.
    central_presence = np.where(
        panel.provinces.is_northeast,
        vocab.OWNERSHIP_MIX_NORTHEAST[vocab.CENTRAL_SOE],
        vocab.OWNERSHIP_MIX_ELSEWHERE[vocab.CENTRAL_SOE],
    )
    weights = np.stack([fiscal, gdp * central_presence[:, None], gdp, gdp], axis=-1)
    totals = calibration.contracts_at_scale_1 * scale * vocab.BUYER_TYPE_SHARES
    counts = np.rint(weights / weights.sum(axis=(0, 1)) * totals).astype(np.int64)

    rng = rng_for(seed, Stream.CALIBRATION, 2)
    northeast = panel.provinces.is_northeast[:, None]
    ne_low, ne_high = calibration.northeast_central_soe_local_share
    other_low, other_high = calibration.elsewhere_central_soe_local_share
    # A province keeps its habit over the years, give or take a little.
    habit = rng.random((len(panel.provinces), 1))
    wobble = rng.uniform(-0.15, 0.15, gdp.shape)
    position = np.clip(habit + wobble, 0, 1)
    target = np.where(
        northeast,
        ne_low + position * (ne_high - ne_low),
        other_low + position * (other_high - other_low),
    )
    return ProcurementPlan(counts, target)


class ProcurementGenerator:
    def __init__(
        self,
        panel: Panel,
        plan: ProcurementPlan,
        universe: EnterpriseUniverse,
        seed: int,
        chunk_rows: int,
    ):
        self.panel, self.plan, self.universe = panel, plan, universe
        self.seed, self.chunk_rows = seed, chunk_rows
        self.relative_rd = relative_rd_intensity(panel)
        national_gdp = panel.national["gdp"]
        self.price_level = np.sqrt(national_gdp / national_gdp[0])
        self.names = pa.concat_arrays([universe.names, _fallback_buyer_names(panel)])
        self._carry = np.zeros(len(panel.provinces))  # local value owed, by province

    def tables(self) -> Iterator[pa.Table]:
        """Province by province, year by year: the order the local-share carry relies on."""
        self._carry[:] = 0
        batch, rows = [], 0
        n_provinces, n_years, _ = self.plan.counts.shape
        for p in range(n_provinces):
            for y in range(n_years):
                if self.plan.counts[p, y].sum() == 0:
                    continue
                batch.append(self._cell_columns(p, y))
                rows += len(batch[-1]["amount"])
                if rows >= self.chunk_rows:
                    yield self._table(batch)
                    batch, rows = [], 0
        if batch:
            yield self._table(batch)

    def _cell_columns(self, p: int, y: int) -> dict[str, np.ndarray]:
        panel, universe = self.panel, self.universe
        year = int(panel.years[y])
        rng = rng_for(self.seed, Stream.PROCUREMENT, p, year)
        counts = self.plan.counts[p, y]
        buyer_type = np.repeat(np.arange(len(vocab.BUYER_TYPES)), counts)
        n = len(buyer_type)
        category = choose(rng, vocab.CATEGORY_MIX[buyer_type])
        amount = np.minimum(
            np.round(
                rng.lognormal(
                    np.log(vocab.CATEGORY_MEDIAN_AMOUNT[category] * self.price_level[y]),
                    vocab.AMOUNT_SIGMA,
                ),
                2,
            ),
            MAX_AMOUNT_YUAN,
        )

        local = rng.random(n) < np.nan_to_num(vocab.LOCAL_SUPPLIER_RATE[buyer_type])
        chain_leader = buyer_type == vocab.CENTRAL_SOE_BUYER
        local[chain_leader] = self._chain_leader_local(rng, p, y, amount[chain_leader])
        supplier_province = np.where(local, p, self._other_provinces(rng, p, y, n))

        n_years = len(panel.years)
        equipment_like = (category == vocab.EQUIPMENT_CATEGORY) | (category == vocab.PARTS)
        wants_equipment = rng.random(n) < np.where(equipment_like, *EQUIPMENT_SUPPLIER_RATE)
        supplier_cell = supplier_province * n_years + y
        u = rng.random(n)
        supplier = universe.supplier_pools.draw(supplier_cell * 2 + wants_equipment, u)
        supplier = np.where(
            supplier >= 0,
            supplier,
            universe.supplier_pools.draw(supplier_cell * 2 + ~wants_equipment, u),
        )

        return {
            "seq": np.arange(1, n + 1),
            "province": np.full(n, p),
            "year": np.full(n, year),
            "buyer_type": buyer_type,
            "buyer": self._buyers(rng, p, y, buyer_type),
            "supplier": supplier,
            "supplier_province": supplier_province,
            "category": category,
            "amount": amount,
            "award": random_days_in_year(rng, np.full(n, year)),
            "innovative": rng.random(n) < self._innovative_rate(p, y, buyer_type, equipment_like),
        }

    def _chain_leader_local(self, rng, p: int, y: int, amounts: np.ndarray) -> np.ndarray:
        """Which chain-leader contracts go to local suppliers, meeting the province-year's
        target share by value. What a year misses (a year with two contracts cannot hit 40%)
        is carried into the province's next year, so sparse years do not bias the share."""
        target = self.plan.local_share_target[p, y] * amounts.sum() + self._carry[p]
        local = local_by_value(rng, amounts, target)
        self._carry[p] = target - amounts[local].sum()
        return local

    def _other_provinces(self, rng, p: int, y: int, n: int) -> np.ndarray:
        """Out-of-province suppliers come from the other provinces in proportion to GDP."""
        weights = self.panel.values["gdp"][:, y].copy()
        weights[p] = 0
        return rng.choice(len(weights), n, p=weights / weights.sum())

    def _buyers(self, rng, p: int, y: int, buyer_type: np.ndarray) -> np.ndarray:
        """Index into ``self.names``: firms of the sample for SOE and private buyers (so a
        chain leader is a central SOE of the enterprise records), departments for government."""
        n_years, n_ownership = len(self.panel.years), len(vocab.OWNERSHIP)
        cell = p * n_years + y
        ownership = np.select(
            [buyer_type == vocab.CENTRAL_SOE_BUYER, buyer_type == vocab.LOCAL_SOE_BUYER],
            [vocab.CENTRAL_SOE, vocab.LOCAL_SOE],
            vocab.PRIVATE,
        )
        firm = self.universe.buyer_pools.draw(
            cell * n_ownership + ownership, rng.random(len(buyer_type))
        )
        n_firms = len(self.universe.names)
        n_departments = len(vocab.GOVERNMENT_DEPARTMENTS)
        department = n_firms + p * n_departments + rng.integers(0, n_departments, len(buyer_type))
        # A province-year without such a firm in the enterprise sample still has a buyer.
        stand_in = (
            n_firms
            + len(self.panel.provinces) * n_departments
            + len(STAND_IN_BUYERS) * p
            + ownership_stand_in(buyer_type)
        )
        return np.where(
            buyer_type == vocab.GOVERNMENT, department, np.where(firm >= 0, firm, stand_in)
        )

    def _innovative_rate(self, p, y, buyer_type, equipment_like) -> np.ndarray:
        innovation_buyer = (buyer_type == vocab.GOVERNMENT) | (
            buyer_type == vocab.CENTRAL_SOE_BUYER
        )
        boost = np.sqrt(self.relative_rd[p, y])
        return np.where(
            innovation_buyer & equipment_like,
            vocab.INNOVATIVE_PRODUCT_RATE * boost,
            vocab.INNOVATIVE_PRODUCT_RATE_OTHER,
        )

    def _table(self, batch: list[dict[str, np.ndarray]]) -> pa.Table:
        c = {k: np.concatenate([cells[k] for cells in batch]) for k in batch[0]}
        provinces = self.panel.provinces
        codes = np.array(provinces.codes)
        province_names = np.array(provinces.names)
        n = len(c["amount"])
        return pa.table(
            {
                "contract_id": join(
                    "SYN-",
                    strings(codes, c["province"]),
                    "-",
                    pa.array(c["year"]).cast(pa.string()),
                    "-",
                    zero_padded(c["seq"], 6),
                ),
                "buyer": self.names.take(pa.array(c["buyer"])),
                "buyer_type": strings(vocab.BUYER_TYPES, c["buyer_type"]),
                "buyer_province": strings(province_names, c["province"]),
                "supplier": self.names.take(pa.array(c["supplier"])),
                "supplier_province": strings(province_names, c["supplier_province"]),
                "category": strings(vocab.CATEGORIES, c["category"]),
                "amount": pa.array(c["amount"]),
                "award_date": date_array(c["award"]),
                "is_innovative_product": pa.array(c["innovative"]),
                "is_synthetic": pa.array(np.ones(n, dtype=bool)),
            }
        )


def local_by_value(rng, amounts: np.ndarray, target_value: float) -> np.ndarray:
    """Mark contracts local so their value comes as close as it can to ``target_value``.

    In random order, a contract goes local when that brings the local value nearer the
    target, except one larger than the whole target (it would lock the share far above it);
    then any contract may switch side while that helps. Random order and the symmetric rule
    keep local and distant contracts alike in size; meeting the share by value keeps a few
    large contracts from swinging it, as a count-based draw would. Every switch shrinks the
    error, so the loop ends.
    """
    local = np.zeros(len(amounts), dtype=bool)
    error = -float(target_value)  # local value minus target
    # Plain loops: a chain leader places tens of contracts a year, rarely more than thousands.
    for i in rng.permutation(len(amounts)):
        if error + amounts[i] / 2 < 0 and amounts[i] <= target_value:
            local[i] = True
            error += amounts[i]
    improved = True
    while improved:
        improved = False
        for i in rng.permutation(len(amounts)):
            step = -amounts[i] if local[i] else amounts[i]
            if abs(error + step) < abs(error):
                local[i] = not local[i]
                error += step
                improved = True
    return local


def _fallback_buyer_names(panel: Panel) -> pa.Array:
    prefix = vocab.SYNTHETIC_PREFIX
    departments = [
        f"{prefix}{name}{department}"
        for name in panel.provinces.names
        for department in vocab.GOVERNMENT_DEPARTMENTS
    ]
    stand_ins = [
        f"{prefix}{short}{suffix}"
        for short in panel.provinces.short_names
        for suffix in STAND_IN_BUYERS
    ]
    return pa.array(departments + stand_ins, type=pa.string())
