# BigQuery v2 client: admin, insertAll batches, queries and paging (values decoded by rowdecoder).
set(AQ_BIGQUERY_CLIENT_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/bigqueryclient.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bigqueryclient.h
    ${CMAKE_CURRENT_LIST_DIR}/bigquerytypes.h
    ${CMAKE_CURRENT_LIST_DIR}/newestfirstquery.cpp
    ${CMAKE_CURRENT_LIST_DIR}/newestfirstquery.h
)
