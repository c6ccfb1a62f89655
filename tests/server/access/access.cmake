# Tests of core/server/access (API keys, CORS, log formats).
