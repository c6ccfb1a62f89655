# Tests of ui/deadletters.
# The reconciliation tab against a real pipeline (ServeHost on a temporary data folder): the Publish page records
# runs, the panel reconciles them (stored, missing, dead-lettered, duplicated), bad ids files, the screenshot.
aq_add_test(NAME testreconciliationpanel SOURCES ${CMAKE_CURRENT_LIST_DIR}/testreconciliationpanel.cpp LIBS aq_ui aq_server TIMEOUT 300)
