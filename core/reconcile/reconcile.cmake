# Reconciling a publish run (its ids file) with the table and the error table: `aqueduct verify` and the console.
set(AQ_RECONCILE_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/idsfilereader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/idsfilereader.h
    ${CMAKE_CURRENT_LIST_DIR}/idsfilewriter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/idsfilewriter.h
    ${CMAKE_CURRENT_LIST_DIR}/publishedrun.cpp
    ${CMAKE_CURRENT_LIST_DIR}/publishedrun.h
    ${CMAKE_CURRENT_LIST_DIR}/reconciler.cpp
    ${CMAKE_CURRENT_LIST_DIR}/reconciler.h
    ${CMAKE_CURRENT_LIST_DIR}/reconciliation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/reconciliation.h
)
