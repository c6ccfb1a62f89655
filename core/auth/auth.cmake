# Credentials for Google's APIs and for Aqueduct servers (see credentials.h).
set(AQ_AUTH_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/credentials.h
)
