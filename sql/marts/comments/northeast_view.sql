comment on table marts.northeast_view is 'Liaoning, Jilin and Heilongjiang per metric and year: total (summing metrics) or mean (ratios), against the national figure and a benchmark province (composite_settings.yaml).';
comment on column marts.northeast_view.northeast_value is 'northeast_total for metrics that sum to the national figure, else northeast_mean.';
comment on column marts.northeast_view.national_value is 'Published national (全国) figure, else for summing metrics the sum of the 31 provinces.';
comment on column marts.northeast_view.northeast_pct_of_national is '100 x northeast_value / national_value.';
comment on column marts.northeast_view.northeast_pct_of_benchmark is '100 x northeast_value / benchmark_value.';
comment on column marts.northeast_view.source_rows is 'source_file:source_row of the Northeast, national and benchmark figures used.';
