#pragma once

// SQL that turns parts of a current store back into the shape an older store version had, so that a test can
// open it and check what the migrations make of it. Each piece undoes the newer migrations of its tables only.

// insertIds as up to store version 5 kept them: a tree of ids per generation (version 1) and one log of ids not
// yet moved there (version 3). The tables are empty.
inline constexpr const char INSERT_IDS_OF_VERSION_5[] =
    "DROP TABLE bq_insert_id_log_0; DROP TABLE bq_insert_id_log_1; DROP TABLE bq_insert_id_hashes_0; DROP TABLE bq_insert_id_hashes_1;"
    "DELETE FROM aq_meta WHERE key LIKE 'dedup_log_hashed_through_%';"
    "CREATE TABLE bq_insert_ids_0(table_id INTEGER NOT NULL, insert_id TEXT NOT NULL, PRIMARY KEY(table_id, insert_id)) WITHOUT ROWID;"
    "CREATE TABLE bq_insert_ids_1(table_id INTEGER NOT NULL, insert_id TEXT NOT NULL, PRIMARY KEY(table_id, insert_id)) WITHOUT ROWID;"
    "CREATE TABLE bq_insert_id_log(seq INTEGER PRIMARY KEY, generation INTEGER NOT NULL, table_id INTEGER NOT NULL, insert_id TEXT NOT NULL);";
