# A client of an Aqueduct server's operator API, for a console that watches a deployed `aqueduct serve`.
set(AQ_REMOTE_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/operatorclient.cpp
    ${CMAKE_CURRENT_LIST_DIR}/operatorclient.h
)
