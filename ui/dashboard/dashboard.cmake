# The dashboard page: live ingest charts. Sets AQ_UI_DASHBOARD_SOURCES.
set(AQ_UI_DASHBOARD_SOURCES)
