-- The marts schema: indicators and composite scores (pipelines/defs/indicators/assets.py).
create schema if not exists marts
