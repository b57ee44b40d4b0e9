"""Use cases and computations of customer analytics, by noun.

- refresh: `refresh_metrics`, the whole refresh (aggregate, score, fit, predict, write back);
  its steps: aggregation (purchase histories in SQL), rfm (scores and the segment grid),
  value (BG/NBD + Gamma-Gamma predictions and tiers), lifecycle (states from each customer's
  rhythm), writeback (the metrics rows replaced in bulk), unconverted (the orders no exchange
  rate converts, named per currency).
- export: `export_metrics`, one row of metrics per party, over any CLV horizon.
- summary_file: `read_summary` and `fit_summary`, the models fitted on a summary CSV.
- timeline: `lifecycle_entries`, the lifecycle changes on a party's timeline.
- config: the analytics settings, checked, and the reporting currency (`reporting_currency`).

Callers import the module they need: importing this package loads no model code, so starting
Django (which wires the timeline source and the export) does not load SciPy.
"""
