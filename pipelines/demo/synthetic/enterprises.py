"""Synthetic enterprise-year records: a stable panel of firms per province with entry and exit.

Magnitudes follow the real panel: firm counts grow as GDP^0.8, the firms' revenue adds up to
a fixed share of GDP and their R&D to the same share of the province's R&D expenditure, the
share of firms doing R&D follows the province's R&D intensity, and the high-tech firms of each
year are shared out so the Northeast holds the published "under 5%".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from pipelines.demo.synthetic import vocab
from pipelines.demo.synthetic.building_blocks import (
    Stream,
    WeightedPools,
    join,
    largest_remainder,
    rng_for,
    strings,
    top_k_mask,
    zero_padded,
)
from pipelines.demo.synthetic.calibration import Calibration
from pipelines.demo.synthetic.identifiers import unified_social_credit_codes
from pipelines.demo.synthetic.panel import Panel, rd_intensity, relative_rd_intensity

WAN_YUAN_PER_100M_YUAN = 1e4
MIN_FIRMS_PER_PROVINCE_YEAR = 5
# A firm's credit code carries the division where it registered: the province (XX0000), its
# capital (XX0100) or, outside the four municipalities, its second city (XX0200). All of these
# exist in GB/T 2260 for every province.
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
VALUE_ADDED_MISSING_RATE = 0.02  # some firms leave the optional column empty, as in real extracts


@dataclass(frozen=True)
class EnterprisePlan:
    """Province-year targets derived from the panel before any firm is drawn."""

    active: np.ndarray  # int [province, year]: firms reporting that year
    high_tech: np.ndarray  # int [province, year]: certified high-tech firms
    revenue_total: np.ndarray  # 万元 [province, year]: sum of the sample's revenue
    rd_total: np.ndarray  # 万元 [province, year]: sum of the sample's R&D expenditure
    rd_active_share: np.ndarray  # [province, year]: expected share of firms doing R&D
    productivity_growth: np.ndarray  # [year]: nominal growth of revenue per employee


def plan_enterprises(
    panel: Panel, calibration: Calibration, scale: float, seed: int
) -> EnterprisePlan:
    gdp = panel.values["gdp"]
    weight = gdp**calibration.enterprise_count_gdp_elasticity
    density = calibration.enterprise_years_at_scale_1 * scale / weight.sum()
    active = np.maximum(np.rint(weight * density).astype(np.int64), MIN_FIRMS_PER_PROVINCE_YEAR)

    intensity = rd_intensity(panel)
    share = calibration.sample_share_of_gdp * scale * WAN_YUAN_PER_100M_YUAN
    relative_rd = relative_rd_intensity(panel)

    # The share of firms doing R&D rises with the nation's invention output per unit of GDP.
    national_invention = panel.national["invention_applications"] / panel.national["gdp"]
    time_factor = np.sqrt(national_invention / national_invention[-1])
    rd_active_share = np.clip(
        calibration.rd_active_share
        * relative_rd**calibration.rd_active_elasticity
        * time_factor[None, :],
        0.05,
        0.9,
    )

    national_gdp = panel.national["gdp"]
    return EnterprisePlan(
        active=active,
        high_tech=_plan_high_tech(panel, calibration, active, relative_rd, seed),
        revenue_total=gdp * share,
        rd_total=intensity * gdp * share,
        rd_active_share=rd_active_share,
        productivity_growth=np.sqrt(national_gdp / national_gdp[0]),
    )


def _plan_high_tech(panel, calibration, active, relative_rd, seed) -> np.ndarray:
    """High-tech firms per province-year: the national count follows invention grants, the
    Northeast gets a share drawn in the published range, provinces within each side share
    by firm count x relative R&D intensity."""
    invention = panel.national["invention_grants"]
    national_total = (
        calibration.high_tech_share_last_year * active[:, -1].sum() * invention / invention[-1]
    )
    national_total = np.minimum(np.rint(national_total), 0.5 * active.sum(axis=0)).astype(int)

    rng = rng_for(seed, Stream.CALIBRATION, 1)
    low, high = calibration.northeast_high_tech_share
    northeast_share = rng.uniform(low, high, size=len(panel.years))
    northeast = panel.provinces.is_northeast
    attraction = active * relative_rd
    counts = np.zeros_like(active)
    for y in range(len(panel.years)):
        # Floor, so rounding can never lift the Northeast over its published share.
        ne_total = int(np.floor(northeast_share[y] * national_total[y]))
        counts[northeast, y] = largest_remainder(ne_total, attraction[northeast, y])
        counts[~northeast, y] = largest_remainder(
            national_total[y] - ne_total, attraction[~northeast, y]
        )
    return np.minimum(counts, (0.8 * active).astype(np.int64))


@dataclass
class EnterpriseUniverse:
    """What the patent and procurement generators need to refer to real-looking firms."""

    names: pa.Array  # [entity]
    is_equipment: np.ndarray  # bool [entity]
    applicant_pools: WeightedPools  # key = province-year cell; weight ~ R&D
    supplier_pools: WeightedPools  # key = cell * 2 + is_equipment; weight ~ sqrt(revenue)
    buyer_pools: WeightedPools  # key = cell * 5 + ownership; weight ~ revenue


@dataclass
class _PoolParts:
    cell: list = field(default_factory=list)
    entity: list = field(default_factory=list)
    is_equipment: list = field(default_factory=list)
    ownership: list = field(default_factory=list)
    revenue: list = field(default_factory=list)
    rd: list = field(default_factory=list)


class EnterpriseGenerator:
    """Yields one arrow table per province (NBS order); afterwards ``universe()`` describes
    the firms for the other generators. Streaming keeps memory flat at large scales."""

    def __init__(self, panel: Panel, plan: EnterprisePlan, calibration: Calibration, seed: int):
        self.panel, self.plan, self.calibration, self.seed = panel, plan, calibration, seed
        self._names: list[pa.Array] = []
        self._is_equipment: list[np.ndarray] = []
        self._pools = _PoolParts()
        self._entities_so_far = 0
        self._done = False

    def province_tables(self) -> Iterator[pa.Table]:
        for p in range(len(self.panel.provinces)):
            yield self._province_table(p)
        self._done = True

    def universe(self) -> EnterpriseUniverse:
        if not self._done:
            raise RuntimeError("consume province_tables() first")
        n_cells = self.plan.active.size
        parts = {k: np.concatenate(v) for k, v in vars(self._pools).items()}
        entity = parts["entity"]
        return EnterpriseUniverse(
            names=pa.concat_arrays(self._names),
            is_equipment=np.concatenate(self._is_equipment),
            # A small revenue term lets firms without R&D file the odd utility model or design.
            applicant_pools=WeightedPools.build(
                parts["cell"], entity, parts["rd"] + 0.002 * parts["revenue"], n_cells
            ),
            supplier_pools=WeightedPools.build(
                parts["cell"] * 2 + parts["is_equipment"],
                entity,
                np.sqrt(parts["revenue"]),
                n_cells * 2,
            ),
            buyer_pools=WeightedPools.build(
                parts["cell"] * len(vocab.OWNERSHIP) + parts["ownership"],
                entity,
                parts["revenue"],
                n_cells * len(vocab.OWNERSHIP),
            ),
        )

    # --- one province ---------------------------------------------------------------------
    def _province_table(self, p: int) -> pa.Table:
        panel, plan = self.panel, self.plan
        rng = rng_for(self.seed, Stream.ENTERPRISES, p)
        years = panel.years
        is_ne = bool(panel.provinces.is_northeast[p])

        first, last, founded = simulate_membership(
            rng, plan.active[p], years, self.calibration.annual_exit_rate
        )
        firms = _draw_firm_traits(rng, len(first), is_ne)
        row_entity, row_year = expand_entity_years(first, last)
        y = row_year - years[0]

        revenue = _revenue(rng, plan.revenue_total[p], firms, row_entity, y)
        has_rd = firms["rd_latent"][row_entity] + rng.normal(
            0, 0.08, len(y)
        ) < plan.rd_active_share[p, y] * np.where(firms["is_equipment"][row_entity], 1.15, 0.85)
        is_high_tech = _select_high_tech(rng, plan.high_tech[p], firms, row_entity, y, has_rd)
        has_rd |= is_high_tech  # certification requires R&D
        rd = _rd_expenditure(
            rng, plan.rd_total[p], firms, row_entity, y, revenue, has_rd, is_high_tech
        )
        accounts = _other_accounts(
            rng,
            revenue,
            rd,
            has_rd,
            is_high_tech,
            plan.productivity_growth[y],
            firms["productivity"][row_entity],
        )

        global_entity = self._entities_so_far + row_entity
        names = _firm_names(panel.provinces.short_names[p], firms)
        codes = unified_social_credit_codes(
            self._entities_so_far + np.arange(len(first)),
            _admin_divisions(rng, panel.provinces.codes[p], len(first)),
            founded,
        )
        self._remember(p, firms, names, global_entity, y, revenue, rd, row_entity)
        self._entities_so_far += len(first)

        n = len(y)
        return pa.table(
            {
                "credit_code": codes.take(pa.array(row_entity)),
                "year": pa.array(row_year.astype(np.int32)),
                "name": names.take(pa.array(row_entity)),
                "province": pa.repeat(pa.scalar(panel.provinces.names[p]), n),
                "industry_code": strings(vocab.INDUSTRY_CODES, firms["industry"][row_entity]),
                "ownership": strings(vocab.OWNERSHIP, firms["ownership"][row_entity]),
                "is_high_tech": pa.array(is_high_tech),
                "has_rd_activity": pa.array(has_rd),
                "employees": pa.array(accounts["employees"]),
                "rd_personnel": pa.array(accounts["rd_personnel"]),
                "revenue": pa.array(np.round(revenue, 1)),
                "new_product_revenue": pa.array(accounts["new_product_revenue"]),
                "rd_expenditure": pa.array(np.round(rd, 1)),
                "value_added": pa.array(
                    accounts["value_added"], mask=rng.random(n) < VALUE_ADDED_MISSING_RATE
                ),
                "profit": pa.array(accounts["profit"]),
                "is_synthetic": pa.array(np.ones(n, dtype=bool)),
            }
        )

    def _remember(self, p, firms, names, global_entity, y, revenue, rd, row_entity):
        cell = p * len(self.panel.years) + y
        self._names.append(names)
        self._is_equipment.append(firms["is_equipment"])
        parts = self._pools
        parts.cell.append(cell)
        parts.entity.append(global_entity)
        parts.is_equipment.append(firms["is_equipment"][row_entity].astype(np.int64))
        parts.ownership.append(firms["ownership"][row_entity])
        parts.revenue.append(revenue)
        parts.rd.append(rd)


def simulate_membership(rng, active: np.ndarray, years: np.ndarray, exit_rate: float):
    """Entry and exit so that exactly ``active[y]`` firms report in each year.

    Returns each firm's first and last reporting year and its founding (registration) year.
    Exits are a random ``exit_rate`` of last year's firms, more when the count must fall;
    entrants fill the rest.
    """
    alive = np.arange(active[0])
    first = [np.full(active[0], years[0])]
    founded = [years[0] - np.minimum(rng.geometric(1 / 9, active[0]) - 1, 30)]
    last = np.full(active[0], years[-1])
    next_id = int(active[0])
    for y in range(1, len(years)):
        n_exit = max(rng.binomial(len(alive), exit_rate), len(alive) - int(active[y]))
        leaving = rng.choice(len(alive), size=n_exit, replace=False)
        last[alive[leaving]] = years[y - 1]
        alive = np.delete(alive, leaving)
        n_enter = int(active[y]) - len(alive)
        entrants = np.arange(next_id, next_id + n_enter)
        first.append(np.full(n_enter, years[y]))
        founded.append(np.full(n_enter, years[y]))
        last = np.concatenate([last, np.full(n_enter, years[-1])])
        alive = np.concatenate([alive, entrants])
        next_id += n_enter
    return np.concatenate(first), last, np.concatenate(founded)


def expand_entity_years(first: np.ndarray, last: np.ndarray):
    """One row per firm and reporting year, ordered by year then firm."""
    lengths = last - first + 1
    entity = np.repeat(np.arange(len(first)), lengths)
    offset = np.arange(len(entity)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    year = first[entity] + offset
    order = np.lexsort((entity, year))
    return entity[order], year[order]


def _draw_firm_traits(rng, n: int, is_northeast: bool) -> dict[str, np.ndarray]:
    equipment_share = (
        vocab.EQUIPMENT_SHARE_NORTHEAST if is_northeast else vocab.EQUIPMENT_SHARE_ELSEWHERE
    )
    is_equipment = rng.random(n) < equipment_share
    n_equipment_classes = len(vocab.EQUIPMENT_CLASSES)
    industry = np.where(
        is_equipment,
        rng.choice(
            n_equipment_classes,
            n,
            p=vocab.EQUIPMENT_CLASS_WEIGHTS / vocab.EQUIPMENT_CLASS_WEIGHTS.sum(),
        ),
        n_equipment_classes
        + rng.choice(
            len(vocab.OTHER_CLASSES),
            n,
            p=vocab.OTHER_CLASS_WEIGHTS / vocab.OTHER_CLASS_WEIGHTS.sum(),
        ),
    )
    mix = vocab.OWNERSHIP_MIX_NORTHEAST if is_northeast else vocab.OWNERSHIP_MIX_ELSEWHERE
    # Exact counts, randomly placed: a small province still gets its share of chain leaders
    # instead of none by bad luck.
    ownership = rng.permutation(np.repeat(np.arange(len(mix)), largest_remainder(n, mix)))
    return {
        "is_equipment": is_equipment,
        "industry": industry,
        "ownership": ownership,
        "log_size": rng.normal(0, 1.1, n) + vocab.OWNERSHIP_LOG_SIZE_SHIFT[ownership],
        "rd_latent": rng.random(n),
        "ht_latent": rng.random(n),
        "rd_intensity": rng.lognormal(0, 0.6, n),
        "productivity": rng.lognormal(np.log(100.0), 0.4, n),  # 万元 revenue per employee
        "trade_name": rng.integers(0, len(vocab.TRADE_NAMES), n),
    }


def _revenue(rng, revenue_total, firms, row_entity, y) -> np.ndarray:
    """Each firm's share of its province-year's sample revenue, by persistent size with a
    random walk, so revenue sums to the GDP-derived total exactly."""
    shocks = rng.normal(0, 0.12, len(y))
    walk = _cumulative_within(shocks, row_entity)
    weight = np.exp(firms["log_size"][row_entity] + walk)
    per_year = np.bincount(y, weights=weight, minlength=len(revenue_total))
    return revenue_total[y] * weight / per_year[y]


def _cumulative_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` within each group, in the rows' current order."""
    order = np.argsort(groups, kind="stable")
    sorted_values = values[order]
    running = np.cumsum(sorted_values)
    sorted_groups = groups[order]
    group_start = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    start_positions = np.flatnonzero(group_start)
    base = (running - sorted_values)[start_positions]
    base_per_row = base[np.cumsum(group_start) - 1]
    result = np.empty_like(values)
    result[order] = running - base_per_row
    return result


def _select_high_tech(rng, targets, firms, row_entity, y, has_rd) -> np.ndarray:
    """Top firms by a persistent score; a certificate runs three years, so last year's
    high-tech firms are strongly favoured to stay."""
    is_high_tech = np.zeros(len(y), dtype=bool)
    previous = np.zeros(len(firms["ht_latent"]), dtype=bool)
    score_base = firms["ht_latent"] + 0.3 * firms["is_equipment"]
    for year_index in range(len(targets)):
        rows = np.flatnonzero(y == year_index)
        entity = row_entity[rows]
        score = (
            score_base[entity]
            + 0.6 * has_rd[rows]
            + 1.5 * previous[entity]
            + rng.normal(0, 0.15, len(rows))
        )
        chosen = top_k_mask(score, targets[year_index])
        is_high_tech[rows] = chosen
        previous[:] = False
        previous[entity[chosen]] = True
    return is_high_tech


def _rd_expenditure(rng, rd_total, firms, row_entity, y, revenue, has_rd, is_high_tech):
    weight = np.where(
        has_rd,
        revenue
        * firms["rd_intensity"][row_entity]
        * np.where(is_high_tech, 1.8, 1.0)
        * np.where(firms["is_equipment"][row_entity], 1.3, 1.0),
        0.0,
    )
    per_year = np.bincount(y, weights=weight, minlength=len(rd_total))
    rd = np.divide(
        rd_total[y] * weight, per_year[y], out=np.zeros_like(weight), where=per_year[y] > 0
    )
    # No firm spends more than a third of its revenue on R&D, whatever the draw.
    return np.minimum(rd, revenue / 3)


def _other_accounts(rng, revenue, rd, has_rd, is_high_tech, productivity_growth, productivity):
    n = len(revenue)
    employees = np.maximum(np.rint(revenue / (productivity * productivity_growth)), 8)
    rd_cost_per_person = rng.lognormal(np.log(30.0), 0.3, n) * productivity_growth  # 万元
    rd_personnel = np.where(has_rd, np.clip(np.rint(rd / rd_cost_per_person), 1, employees), 0)
    new_product_share = np.minimum(rng.beta(2, 6, n) * np.where(is_high_tech, 1.5, 1.0), 0.95)
    return {
        "employees": employees.astype(np.int32),
        "rd_personnel": rd_personnel.astype(np.int32),
        "new_product_revenue": np.round(np.where(has_rd, revenue * new_product_share, 0.0), 1),
        "value_added": np.round(revenue * rng.uniform(0.18, 0.34, n), 1),
        "profit": np.round(revenue * rng.normal(0.055, 0.06, n), 1),
    }


def _firm_names(short_name: str, firms) -> pa.Array:
    """合成样本·辽宁精工机床有限公司0012; a central SOE:
    合成样本·中国精工机床集团辽宁有限公司0012."""
    n = len(firms["industry"])
    trade = strings(vocab.TRADE_NAMES, firms["trade_name"])
    word = strings(vocab.INDUSTRY_WORDS, firms["industry"])
    serial = zero_padded(np.arange(1, n + 1), 4)
    prefix = vocab.SYNTHETIC_PREFIX
    ordinary = join(prefix + short_name, trade, word, "有限公司", serial)
    central = join(prefix + "中国", trade, word, "集团" + short_name + "有限公司", serial)
    is_central = pa.array(firms["ownership"] == vocab.CENTRAL_SOE)
    return pa.compute.if_else(is_central, central, ordinary)


def _admin_divisions(rng, province_code: str, n: int) -> np.ndarray:
    base = int(province_code)
    if province_code in MUNICIPALITIES:
        offsets = np.array([0, 100])
        p = [0.3, 0.7]
    else:
        offsets = np.array([0, 100, 200])
        p = [0.15, 0.55, 0.30]
    return base + offsets[rng.choice(len(offsets), n, p=p)]
