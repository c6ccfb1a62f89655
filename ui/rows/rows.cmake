# The rows page: a windowed model over the events table. Sets AQ_UI_ROWS_SOURCES.
set(AQ_UI_ROWS_SOURCES)
