# The GoogleSQL-subset -> SQLite translator. Pure code (no SQLite, no I/O) so it can be fuzzed.
set(AQ_SQL_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sqltranslator.h
)
