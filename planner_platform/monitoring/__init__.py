"""Government monitoring: indicators defined once, summary tables kept fresh, dashboards from city to community."""
