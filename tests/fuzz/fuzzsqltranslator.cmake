# fuzzsqltranslator: arbitrary bytes as GoogleSQL through the local cloud's SQL translator (core/localcloud/sql), whose
# output must then prepare and run on SQLite. Included from tests/fuzz/CMakeLists.txt inside if(AQ_BUILD_FUZZERS).
# The translator and the aq_core units it calls are built here, instrumented, rather than linking aq_localcloud,
# so the fuzzer neither drags in the rest of the local cloud nor runs uninstrumented code it exercises.
# Run: build-fuzz/tests/fuzz/fuzzsqltranslator -max_total_time=60 -max_len=4096 -dict=tests/fuzz/sql.dict <work-dir> tests/fuzz/corpus/sql
find_package(Qt6 REQUIRED COMPONENTS Core)
find_package(SQLite3 REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/../../core/localcloud/sql/sql.cmake)
add_library(aq_fuzz_sqltranslator STATIC
    ${AQ_SQL_SOURCES}
    ${CMAKE_CURRENT_LIST_DIR}/../../core/common/apierror.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../../core/common/timeutil.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../../core/bigquery/numeric.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../../core/bigquery/tableschema.cpp
)
target_link_libraries(aq_fuzz_sqltranslator PUBLIC aq_common Qt6::Core)
target_compile_options(aq_fuzz_sqltranslator PRIVATE -fsanitize=fuzzer-no-link,address)

add_executable(fuzzsqltranslator ${CMAKE_CURRENT_LIST_DIR}/fuzzsqltranslator.cpp)
target_link_libraries(fuzzsqltranslator PRIVATE aq_fuzz_sqltranslator SQLite::SQLite3)
target_compile_options(fuzzsqltranslator PRIVATE -fsanitize=fuzzer,address)
target_link_options(fuzzsqltranslator PRIVATE -fsanitize=fuzzer,address)
