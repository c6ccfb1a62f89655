#include "core/localcloud/localstore.h"

#include <memory>
#include <string>
#include <unordered_map>

#include <QDir>

#include <sqlite3.h>

#include "core/localcloud/sql/keyhash.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        // Each entry moves the store from version i to i + 1. Never edit an entry that has shipped; append.
        const char *const MIGRATIONS[] = {
            // 0 -> 1
            R"(
            CREATE TABLE ps_topics(
                id INTEGER PRIMARY KEY,
                project TEXT NOT NULL,
                name TEXT NOT NULL,
                resource TEXT NOT NULL,
                UNIQUE(project, name));
            CREATE TABLE ps_subscriptions(
                id INTEGER PRIMARY KEY,
                project TEXT NOT NULL,
                name TEXT NOT NULL,
                topic_id INTEGER,
                resource TEXT NOT NULL,
                UNIQUE(project, name));
            CREATE TABLE ps_messages(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                topic_id INTEGER NOT NULL,
                publish_time INTEGER NOT NULL,
                ordering_key TEXT,
                attributes TEXT,
                data BLOB);
            CREATE TABLE ps_deliveries(
                sub_id INTEGER NOT NULL,
                msg_id INTEGER NOT NULL,
                available_at INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                acked INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY(sub_id, msg_id)) WITHOUT ROWID;
            CREATE INDEX ps_deliveries_ready ON ps_deliveries(sub_id, acked, available_at);

            CREATE TABLE bq_datasets(
                project TEXT NOT NULL,
                dataset TEXT NOT NULL,
                resource TEXT NOT NULL,
                PRIMARY KEY(project, dataset));
            CREATE TABLE bq_tables(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL,
                dataset TEXT NOT NULL,
                name TEXT NOT NULL,
                resource TEXT NOT NULL,
                UNIQUE(project, dataset, name));
            CREATE TABLE bq_insert_ids_0(table_id INTEGER NOT NULL, insert_id TEXT NOT NULL,
                PRIMARY KEY(table_id, insert_id)) WITHOUT ROWID;
            CREATE TABLE bq_insert_ids_1(table_id INTEGER NOT NULL, insert_id TEXT NOT NULL,
                PRIMARY KEY(table_id, insert_id)) WITHOUT ROWID;
            CREATE TABLE aq_meta(key TEXT PRIMARY KEY, value TEXT);
            )",
            // 1 -> 2: a subscription's never-delivered messages are no longer one ps_deliveries row each; a cursor
            // says how far through ps_messages it has leased, and ps_deliveries holds only what was leased and is not
            // yet acknowledged (or is retained). Every message already stored has its delivery row: start past them.
            R"(
            ALTER TABLE ps_subscriptions ADD COLUMN delivered_through INTEGER NOT NULL DEFAULT 0;
            UPDATE ps_subscriptions SET delivered_through=IFNULL((SELECT seq FROM sqlite_sequence WHERE name='ps_messages'), 0);
            )",
            // 2 -> 3: insertIds are first appended to a log, in the transaction that stores their rows, and moved
            // to bq_insert_ids_0/1 in large batches: one random B-tree insert per row dirtied a page each.
            R"(
            CREATE TABLE bq_insert_id_log(
                seq INTEGER PRIMARY KEY,
                generation INTEGER NOT NULL,
                table_id INTEGER NOT NULL,
                insert_id TEXT NOT NULL);
            )",
            // 3 -> 4: STRING and BYTES clustering columns after the first are indexed in batches, in key tables
            // (see batchedindex.h); this records how far each table's are filled. BigQueryService::load makes the key
            // tables of existing tables, fills them and drops the SQLite indexes they replace.
            R"(
            CREATE TABLE bq_batched_indexes(
                table_id INTEGER PRIMARY KEY,
                indexed_through INTEGER NOT NULL);
            )",
            // 4 -> 5: key tables hold hashes of the values, not the values (see batchedindex.h). BigQueryService::load
            // makes the new ones, drops the old and fills the new from every row.
            R"(
            DELETE FROM bq_batched_indexes;
            )",
            // 5 -> 6: each generation's insertIds stay in a log of their own until the generation is forgotten, and
            // the generation's B-tree maps the ids' hashes to their log rows (see insertallwriter.h): a tree of ids
            // cost a write of its every page per batch. The ids of both old places go to the logs;
            // InsertAllWriter::load hashes every log row, as none is marked hashed yet.
            R"(
            CREATE TABLE bq_insert_id_log_0(seq INTEGER PRIMARY KEY AUTOINCREMENT, table_id INTEGER NOT NULL, insert_id TEXT NOT NULL);
            CREATE TABLE bq_insert_id_log_1(seq INTEGER PRIMARY KEY AUTOINCREMENT, table_id INTEGER NOT NULL, insert_id TEXT NOT NULL);
            INSERT INTO bq_insert_id_log_0(table_id, insert_id)
                SELECT table_id, insert_id FROM bq_insert_ids_0 UNION SELECT table_id, insert_id FROM bq_insert_id_log WHERE generation=0;
            INSERT INTO bq_insert_id_log_1(table_id, insert_id)
                SELECT table_id, insert_id FROM bq_insert_ids_1 UNION SELECT table_id, insert_id FROM bq_insert_id_log WHERE generation=1;
            DROP TABLE bq_insert_ids_0;
            DROP TABLE bq_insert_ids_1;
            DROP TABLE bq_insert_id_log;
            CREATE TABLE bq_insert_id_hashes_0(hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(hash, seq)) WITHOUT ROWID;
            CREATE TABLE bq_insert_id_hashes_1(hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(hash, seq)) WITHOUT ROWID;
            )",
        };
        static_assert(std::size(MIGRATIONS) == LocalStore::SCHEMA_VERSION, "a migration was added: raise SCHEMA_VERSION with it");

        // aq_key_hash(value) and aq_grouped_key_hash(value, seed): keyHash() and groupedKeyHash() of a text's
        // UTF-8 or a blob's bytes.
        template <quint64 (*hash)(QByteArrayView, quint64)>
        void hashOf(sqlite3_context *context, int count, sqlite3_value **arguments)
        {
            const char *bytes = sqlite3_value_type(arguments[0]) == SQLITE_BLOB ? static_cast<const char *>(sqlite3_value_blob(arguments[0]))
                                                                                : reinterpret_cast<const char *>(sqlite3_value_text(arguments[0]));
            const quint64 seed = count > 1 ? quint64(sqlite3_value_int64(arguments[1])) : 0;
            sqlite3_result_int64(context, sqlite3_int64(hash(QByteArrayView(bytes, sqlite3_value_bytes(arguments[0])), seed)));
        }

        Status registerKeyHashes(SqliteDatabase &db)
        {
            struct Function
            {
                const char *name;
                int arguments;
                void (*call)(sqlite3_context *, int, sqlite3_value **);
            };
            for (const Function &f : {Function {"aq_key_hash", 1, hashOf<keyHash>}, Function {"aq_grouped_key_hash", 2, hashOf<groupedKeyHash>}}) {
                if (sqlite3_create_function_v2(db.handle(), f.name, f.arguments, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr, f.call, nullptr,
                                               nullptr, nullptr) != SQLITE_OK)
                    return db.error(u"register "_s + QLatin1StringView(f.name));
            }
            return Ok {};
        }
    }

    QString LocalStore::databasePath(const QString &dataDir)
    {
        return QDir(dataDir).filePath(u"localcloud.sqlite"_s);
    }

    Status LocalStore::open(SqliteDatabase &db, const QString &dataDir, Durability durability)
    {
        if (!QDir().mkpath(dataDir))
            return ApiError::internal(u"Cannot create the data folder %1; check its permissions or pass another --data-dir."_s.arg(dataDir));
        if (Status s = db.open(databasePath(dataDir), SqliteDatabase::OpenMode::ReadWrite); !s)
            return s;
        const QByteArray pragmas = QByteArray("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF; PRAGMA case_sensitive_like=ON;"
                                              "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384; PRAGMA journal_size_limit=67108864;")
            + (durability == Durability::Full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        if (Status s = db.exec(pragmas); !s)
            return s;
        if (Status s = registerKeyHashes(db); !s)
            return s;
        return migrate(db);
    }

    Status LocalStore::openReader(SqliteDatabase &db, const QString &dataDir)
    {
        if (Status s = db.open(databasePath(dataDir), SqliteDatabase::OpenMode::ReadOnly); !s)
            return s;
        return db.exec("PRAGMA case_sensitive_like=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;");
    }

    Status LocalStore::checkpoint(const QString &dataDir)
    {
        thread_local std::unordered_map<std::string, std::unique_ptr<SqliteDatabase>> connections;
        std::unique_ptr<SqliteDatabase> &db = connections[dataDir.toStdString()];
        if (!db) {
            db = std::make_unique<SqliteDatabase>();
            if (Status s = db->open(databasePath(dataDir), SqliteDatabase::OpenMode::ReadWrite); !s) {
                db.reset();
                return s;
            }
        }
        return db->exec("PRAGMA wal_checkpoint(PASSIVE)");
    }

    Status LocalStore::migrate(SqliteDatabase &db)
    {
        Result<SqliteStatement *> version = db.prepare("PRAGMA user_version");
        if (!version)
            return version.error();
        (*version)->step();
        const int current = int((*version)->int64(0));
        (*version)->reset();
        const int known = int(std::size(MIGRATIONS));
        if (current > known)
            return ApiError::failedPrecondition(
                u"The data folder was written by a newer Aqueduct (store version %1; this one knows up to %2). Upgrade Aqueduct or use another --data-dir."_s
                    .arg(current)
                    .arg(known));
        for (int v = current; v < known; ++v) {
            SqliteTransaction transaction(db);
            if (Status s = db.exec(MIGRATIONS[v]); !s)
                return s;
            if (Status s = db.exec("PRAGMA user_version=" + QByteArray::number(v + 1)); !s)
                return s;
            if (Status s = transaction.commit(); !s)
                return s;
        }
        return Ok {};
    }
}
