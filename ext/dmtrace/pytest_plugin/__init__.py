"""The pytest plugin: `@pytest.mark.verifies("LVV-T…")` checked against a site and written into JUnit XML."""
