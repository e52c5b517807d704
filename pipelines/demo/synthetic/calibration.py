"""The knobs of the synthetic micro records, in one place.

Two kinds, kept apart on purpose:
* sampling densities: how many records one unit of a real panel figure becomes (these set
  the demo's size; the panel sets how the records spread over provinces and years);
* published facts the records reproduce, each citing its source (seed 002). These are the
  only figures typed in: everything province- or year-specific is read from the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 20250220  # date of seed 002; any fixed integer would do


@dataclass(frozen=True)
class Calibration:
    # --- sampling densities ------------------------------------------------------------------
    # One synthetic patent per this many real grants (and per this many real applications
    # that were not granted), province by province and year by year.
    real_patents_per_record: float = 750.0
    # Enterprise-years and contracts over 31 provinces x 2012-2024 at scale 1; spread over
    # provinces and years by the panel (GDP^elasticity, fiscal S&T spending, ...).
    enterprise_years_at_scale_1: int = 40_000
    enterprise_count_gdp_elasticity: float = 0.8
    contracts_at_scale_1: int = 30_000
    # The scale-1 sample's revenue and R&D are this share of the province's GDP and R&D, so
    # firm size does not change with --scale and sample R&D / revenue = province R&D / GDP.
    sample_share_of_gdp: float = 0.01
    annual_exit_rate: float = 0.05
    # Share of firms reporting R&D at the national R&D intensity; a province's share moves
    # with (its R&D intensity / national)^elasticity.
    rd_active_share: float = 0.40
    rd_active_elasticity: float = 0.5
    # Share of sample firms that are certified high-tech in the last year; earlier years
    # follow national invention grants.
    high_tech_share_last_year: float = 0.25

    # --- published facts (seed 002, "How to accelerate ... new quality productivity in NE") --
    # "the number of national high-tech enterprises in Northeast China accounts for less than
    # 5% of the country's total": each year's share is drawn in this range.
    northeast_high_tech_share: tuple[float, float] = (0.035, 0.045)
    # "the proportion of local procurement in the procurement of parts by central enterprises
    # in Northeast China is only about 40%": share of chain leaders' contract value placed
    # with suppliers of the buyer's own province, drawn per province-year in this range ...
    northeast_central_soe_local_share: tuple[float, float] = (0.38, 0.42)
    # ... against "mature central-local cooperation models in other regions".
    elsewhere_central_soe_local_share: tuple[float, float] = (0.55, 0.70)
