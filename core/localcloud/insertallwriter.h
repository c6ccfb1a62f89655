#pragma once

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include <QByteArray>
#include <QHash>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/localcloud/insertidfilter.h"
#include "core/localcloud/rowcodec.h"
#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    // Stores decoded insertAll rows in a table's SQLite table, one transaction per request, with exact insertId
    // de-duplication within a window. The ids live in two generations, each at least one window long, so an id is
    // remembered for at least one window and at most two, and forgetting a generation is a DELETE of each of its two
    // tables, whole. A Bloom filter per generation answers "certainly new" for most ids: those skip the look-ups and
    // are remembered many to a statement. Runs on the writer's thread.
    //
    // An id is remembered in the transaction that stores its row, by appending it to its generation's log,
    // bq_insert_id_log_0/1 (an append writes few pages). Its look-up entry comes later, many at a time in one
    // transaction: bq_insert_id_hashes_0/1 map the ids' 64-bit hashes (groupedKeyHash, seeded with the table) to
    // their log rows, and a look-up compares the id in each row its hash names. Until then an exact in-memory set of
    // the log's unhashed ids answers for them. Inserting each random id straight into a B-tree dirtied a page per row,
    // and every dirty page is a 4 KiB write to the WAL; batches of ids into a tree of ids still wrote the whole
    // tree each time, once it was large. A tree of hashes weighs two fifths as much (store version 6).
    class InsertAllWriter
    {
    public:
        InsertAllWriter(SqliteDatabase &db, qint64 dedupWindowMicros);

        // Reads the current generation from aq_meta; a new store starts its first one.
        Status load();
        // Starts the next generation (forgetting the one before the current) once the current is a window old.
        Status rotateIfDue();

        struct Stored
        {
            QByteArray reply;   // the tabledata.insertAll response body
            qint64 rows = 0;    // rows added to the table
        };
        struct Request
        {
            qint64 tableId = 0;
            QByteArray sqliteTable;                         // one column per top-level field of `schema`,
            const BigQuery::TableSchema *schema = nullptr;  // the schema the rows were decoded with
            const RowCodec::DecodedInsert *decoded = nullptr;
        };
        // Stores the requests in one transaction, so that they share one commit (one write of the WAL, the pages
        // they share written once), each in its own savepoint, so that one that fails leaves the others. A result
        // per request, in order; a reply must wait for this to return: only then are its rows committed.
        std::vector<Result<Stored>> store(const std::vector<Request> &requests);

        // The table was dropped, its ids' log rows with it (by the caller, in SQL). Hashes that named them name
        // nothing now: log rows are never numbered again.
        void forgetTable(qint64 tableId);

        // Hashes the ids appended to the logs since the last time, now; or only once they are many (the caller
        // does this after the replies of a store(), so that no insert waits for it).
        Status hashLoggedIds();
        Status hashLoggedIdsIfMany();
        // Ids appended to the logs and not hashed yet.
        qsizetype unhashedIds() const { return qsizetype(m_logged[0].size() + m_logged[1].size()); }

    private:
        using Binder = std::function<void(SqliteStatement &statement, const qsizetype *rows, qsizetype count)>;

        Status rotate(bool force);
        Result<Stored> storeOne(const Request &request);
        Result<bool> seenInPreviousGeneration(qint64 tableId, std::string_view insertId, quint64 hash);
        Result<bool> rememberIfNew(qint64 tableId, std::string_view insertId);
        // Whether the generation's hashes name a log row of this id.
        Result<bool> isHashed(int generation, qint64 tableId, std::string_view insertId);
        // Steps a bound statement once and resets it; true when it produced a row.
        Result<bool> stepOnce(SqliteStatement &statement);
        Status rememberAll(qint64 tableId, const CellBatch &insertIds, const std::vector<qsizetype> &rows);
        static std::string logKey(qint64 tableId, std::string_view insertId);
        void addLogged(int generation, std::string key);
        void undoLogged(qsizetype from);
        Status insertRows(const QByteArray &sqliteTable, const BigQuery::TableSchema &schema, const CellBatch &cells, const std::vector<qsizetype> &rows);
        Status inPieces(const std::vector<qsizetype> &rows, qsizetype piece, const QByteArray &head, qsizetype columns, const Binder &bind);
        const QByteArray &valuesSql(const QByteArray &head, qsizetype columns, qsizetype rows);

        SqliteDatabase &m_db;
        qint64 m_windowMicros = 0;
        int m_generation = 0;
        qint64 m_generationStart = 0;
        InsertIdFilter m_filters[2];   // one per generation, indexed like its tables
        qint64 m_hashedThrough[2] = {0, 0};   // the last log row (seq) of each generation whose hash is stored
        QHash<std::pair<QByteArray, qsizetype>, QByteArray> m_valuesSql;   // (head, rows) -> statement text
        // The ids each generation's log holds past m_hashedThrough, as logKey()s, and which of them the open
        // transaction added (forgotten again when the transaction, or a request's savepoint, rolls back).
        std::unordered_set<std::string> m_logged[2];
        std::vector<std::pair<int, std::string>> m_loggedInTransaction;
    };
}
