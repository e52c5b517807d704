-- The warehouse's layers: reference (rules as tables), raw (as loaded, with lineage),
-- staging (typed, normalised, deduplicated), marts (indicators; built later).
create schema if not exists reference;
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists marts;
