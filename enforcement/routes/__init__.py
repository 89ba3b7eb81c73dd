"""Per area: leads, cases, field (officers' phone pages), desk (squad leader and bureau),
team, publicity (public), inspections, benchmarks."""
