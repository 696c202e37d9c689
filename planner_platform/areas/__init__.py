"""Places: city → district → sub-district (street office) → community, with codes and boundaries."""
