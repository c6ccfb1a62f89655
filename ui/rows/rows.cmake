# The rows page: a windowed model over the events table. Sets AQ_UI_ROWS_SOURCES.
set(AQ_UI_ROWS_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/exportfile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exportfile.h
    ${CMAKE_CURRENT_LIST_DIR}/rowexporter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowexporter.h
    ${CMAKE_CURRENT_LIST_DIR}/rowformat.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowformat.h
    ${CMAKE_CURRENT_LIST_DIR}/rowquery.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowquery.h
    ${CMAKE_CURRENT_LIST_DIR}/rowspage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowspage.h
    ${CMAKE_CURRENT_LIST_DIR}/rowstable.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowstable.h
    ${CMAKE_CURRENT_LIST_DIR}/rowwindowmodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowwindowmodel.h
)
