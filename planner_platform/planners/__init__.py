"""The planner roster: organisations, planner profiles, teams, district policy profiles and term assignments."""
