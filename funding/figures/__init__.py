"""The programme's figures: defined once, computed from the ledgers, published as versions, read by pages and the API.

- definitions: every figure, its unit and how derived figures follow from stored ones.
- ledgers: what the engine reads from the ledgers (facts queries, watermark); the one
  place that knows the ledger models' columns.
- engine: the set-based recompute and its publication; freshness: whether the published
  figures include every change; scheduling and tasks: when a recompute runs.
- verify: an independent recomputation in plain queries, to find drift.
- models: the stored versions, groups and steps (app label "funding"; the funding app's
  migrations hold their tables).
- selectors, dashboards, charts, templatetags, views, api, changes, open_data: what pages
  and the API read and show.

May import: the ledgers (funding, projects, regions) and modellregionen's shared kernel.
Nothing outside this package imports the engine's internals: the writes of every app call
modellregionen.ledger_changes.record, which settings name scheduling.record_ledger_change.
"""
