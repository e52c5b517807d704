-- The marts schema: indicators and composite scores (pipelines/defs/indicators.py).
create schema if not exists marts
