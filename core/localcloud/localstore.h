#pragma once

#include <QString>

#include "core/common/result.h"
#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    enum class Durability
    {
        Process,    // WAL + synchronous=NORMAL: survives kill -9 of the process
        Full,       // WAL + synchronous=FULL: also survives power loss
    };

    // The local cloud's one SQLite file: opens it, sets the pragmas, and migrates its schema forward
    // (PRAGMA user_version). Only the owner of the data folder opens it for writing. The writer's connection has
    // the SQL functions aq_key_hash(value) and aq_grouped_key_hash(value, seed), keyHash() and
    // groupedKeyHash() of the value's bytes, that fill the tables of hashes.
    class LocalStore
    {
    public:
        static constexpr int SCHEMA_VERSION = 6;
        static QString databasePath(const QString &dataDir);

        static Status open(SqliteDatabase &db, const QString &dataDir, Durability durability);
        // A read-only connection for queries on another thread (WAL lets readers run beside the writer).
        static Status openReader(SqliteDatabase &db, const QString &dataDir);
        // Copies the WAL back into the database file (PASSIVE: never blocks the writer), on a pool thread, so
        // that the writer's own checkpoint (when the WAL passes 64 MiB) finds little left to copy. Only the
        // writer's checkpoint lets the WAL start over, so sustained ingest keeps it bounded.
        static Status checkpoint(const QString &dataDir);

    private:
        static Status migrate(SqliteDatabase &db);
    };
}
