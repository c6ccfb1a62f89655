#pragma once

#include <functional>

#include <QString>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

class QObject;

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Ui
{
    // The table the Rows page browses: where it is, its schema, and the columns that order it "newest first"
    // (DESIGN.md, Data contracts): the time column descending, then ingest_time (when the table has it), then
    // the key column, so that every row has a place a keyset query can start from.
    struct RowsTable
    {
        QString project;
        QString dataset;
        QString table;
        BigQuery::TableSchema schema;              // empty: not known yet (RowsPage asks the client for it)
        QString keyColumn = QStringLiteral("event_id");
        QString timeColumn = QStringLiteral("timestamp");

        // `project.dataset.table`, backticked as GoogleSQL wants it.
        QString qualifiedName() const;
        bool hasSchema() const { return !schema.isEmpty(); }
        // The key column must exist; the time column, when the schema has one by that name, must be a TIMESTAMP.
        Status validate() const;
        // "aqueduct-local.analytics.events"
        QString displayName() const;

        bool operator==(const RowsTable &other) const = default;

        // The descriptor of an existing table, its schema read with tables.get. `done` is called once, on the
        // client's thread, unless `context` is destroyed first.
        static void describe(BigQuery::BigQueryClient *client, const QString &dataset, const QString &table, const QString &keyColumn,
                             QObject *context, std::function<void(Result<RowsTable>)> done);
    };
}
