# The dashboard page: live ingest charts. Sets AQ_UI_DASHBOARD_SOURCES.
set(AQ_UI_DASHBOARD_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/dashboardpage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dashboardpage.h
    ${CMAKE_CURRENT_LIST_DIR}/decimation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/decimation.h
    ${CMAKE_CURRENT_LIST_DIR}/metricsfeed.cpp
    ${CMAKE_CURRENT_LIST_DIR}/metricsfeed.h
    ${CMAKE_CURRENT_LIST_DIR}/metricsjsonreader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/metricsjsonreader.h
    ${CMAKE_CURRENT_LIST_DIR}/remotemetricsfeed.cpp
    ${CMAKE_CURRENT_LIST_DIR}/remotemetricsfeed.h
    ${CMAKE_CURRENT_LIST_DIR}/statcard.cpp
    ${CMAKE_CURRENT_LIST_DIR}/statcard.h
    ${CMAKE_CURRENT_LIST_DIR}/timeserieschart.cpp
    ${CMAKE_CURRENT_LIST_DIR}/timeserieschart.h
)
