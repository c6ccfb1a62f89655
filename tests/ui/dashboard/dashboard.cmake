# Tests of ui/dashboard.
aq_add_test(NAME testdashboarddecimation SOURCES ${CMAKE_CURRENT_LIST_DIR}/testdashboarddecimation.cpp LIBS aq_ui)
aq_add_test(NAME testmetricsjsonreader SOURCES ${CMAKE_CURRENT_LIST_DIR}/testmetricsjsonreader.cpp LIBS aq_ui)
aq_add_test(NAME testdashboardpage SOURCES ${CMAKE_CURRENT_LIST_DIR}/testdashboardpage.cpp LIBS aq_ui)
