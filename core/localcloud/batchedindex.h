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
// to the WAL per stored row, most of what storing a row cost. Instead, `<table>_clustering_<i>_keys(value, seq)`
// holds the column's values for the rows up to the table's `indexed_through` (in bq_batched_indexes), and rows
// stored since are added to it many at a time, in one transaction that also moves `indexed_through`.
// A look-up reads the key table and scans the rows after `indexed_through`: a rowid range at the end of the table
// (see SqlBatchedIndex and the query translator).
namespace Aq::LocalCloud::BatchedIndex
{
    // The columns of a table indexed this way.
    QList<SqlBatchedIndex> columnsOf(const QByteArray &sqliteName, const QJsonObject &resource, const BigQuery::TableSchema &schema);
    bool isBatched(const BigQuery::TableField &field);

    // Makes the key tables that do not exist yet, and drops the SQLite indexes that tables made before this
    // had on those columns (their rows are indexed again from the start: indexed_through is 0 for them).
    QByteArray createSql(const QList<SqlBatchedIndex> &indexes);
    QByteArray dropSql(qint64 tableId, const QList<SqlBatchedIndex> &indexes);

    // How far the key tables of a table reach (0: no row yet).
    Result<qint64> indexedThrough(SqliteDatabase &db, qint64 tableId);

    // Adds rows (from, through] to the key tables and records `through`, in one transaction.
    Status indexRows(SqliteDatabase &db, qint64 tableId, const QByteArray &sqliteName, const QList<SqlBatchedIndex> &indexes, qint64 from, qint64 through);
}
