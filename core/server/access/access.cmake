# Who may call the operator API and how calls are recorded: API keys, CORS, log formats. Sets AQ_ACCESS_SOURCES.
set(AQ_ACCESS_SOURCES)
