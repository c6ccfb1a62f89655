# Tests of ui/rows.
# The Rows page's SQL, filters and formats, without a server.
aq_add_test(NAME testrowquery SOURCES ${CMAKE_CURRENT_LIST_DIR}/testrowquery.cpp LIBS aq_ui)
# RowWindowModel against a real local cloud in-process: order, jumps, eviction, filters, streaming rows.
aq_add_test(NAME testrowwindowmodel SOURCES ${CMAKE_CURRENT_LIST_DIR}/testrowwindowmodel.cpp ${CMAKE_CURRENT_LIST_DIR}/rowstestcloud.h LIBS aq_ui aq_localcloud TIMEOUT 600)
# RowsPage offscreen: filter bar, errors, copy, export CSV/JSON and cancel, shortcuts, the screenshot.
aq_add_test(NAME testrowspage SOURCES ${CMAKE_CURRENT_LIST_DIR}/testrowspage.cpp ${CMAKE_CURRENT_LIST_DIR}/rowstestcloud.h LIBS aq_ui aq_localcloud TIMEOUT 600)
