#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/localcloud/sql/sqltranslator.h"
#include "core/localcloud/sqlitedatabase.h"

// A table's STRING or BYTES clustering columns after the first (Aqueduct's key column, event_id) are indexed in
// batches rather than by a SQLite index. Random keys inserted a few hundred per commit wrote a B-tree page
// to the WAL per stored row, most of what storing a row cost. Instead, `<table>_clustering_<i>_key_hashes(hash, seq)`
// holds the keyHash() of the column's values for the rows up to the table's `indexed_through` (in
// bq_batched_indexes), and rows stored since are added to it many at a time, in one transaction that also moves
// `indexed_through`. Hashes rather than the values (store version 5): a batch writes every page of the key table
// it touches, and once the table is large it touches nearly all of them, so the batch costs what the table
// weighs; a million UUIDs' hashes take 19 MB of pages where the UUIDs took 50. A look-up reads the rows the key
// table names for the value's hash and those after `indexed_through` (a rowid range at the end of the table), and
// keeps the ones whose value is equal (see SqlBatchedIndex and the query translator).
namespace Aq::LocalCloud::BatchedIndex
{
    // The columns of a table indexed this way.
    QList<SqlBatchedIndex> columnsOf(const QByteArray &sqliteName, const QJsonObject &resource, const BigQuery::TableSchema &schema);
    bool isBatched(const BigQuery::TableField &field);

    // Makes the key tables that do not exist yet, and drops what tables made before them had on those columns:
    // a SQLite index (before store version 4), or a key table of values (version 4). Their rows are indexed again
    // from the start: indexed_through is 0 for them.
    QByteArray createSql(const QList<SqlBatchedIndex> &indexes);
    QByteArray dropSql(qint64 tableId, const QList<SqlBatchedIndex> &indexes);

    // How far the key tables of a table reach (0: no row yet).
    Result<qint64> indexedThrough(SqliteDatabase &db, qint64 tableId);

    // Adds rows (from, through] to the key tables and records `through`, in one transaction. `db` is the writer's
    // connection: it has the SQL function aq_key_hash (see LocalStore).
    Status indexRows(SqliteDatabase &db, qint64 tableId, const QByteArray &sqliteName, const QList<SqlBatchedIndex> &indexes, qint64 from, qint64 through);
}
