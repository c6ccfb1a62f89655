#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include "core/bigquery/queryparameter.h"
#include "core/bigquery/tableschema.h"

namespace Aq::BigQuery
{
    struct TableOptions
    {
        QString timePartitioningField;   // a TIMESTAMP or DATE column: partitioned by DAY
        QStringList clusteringFields;
        QString description;
    };

    struct TableInfo
    {
        QString dataset;
        QString table;
        TableSchema schema;
        // Google's numbers: numRows counts the rows in the table's managed storage and leaves out any still in
        // the streaming buffer (tabledata.insertAll's recent rows); streamingBuffer.estimatedRows is only a
        // lower-bound estimate of those, absent when the buffer is empty. So numRows is the exact row count only
        // when there is no streaming buffer (the local cloud never reports one: its numRows is always exact).
        qint64 numRows = 0;
        qint64 streamingBufferEstimatedRows = 0;
        bool hasStreamingBuffer = false;
        QString timePartitioningField;
        QStringList clusteringFields;
    };

    // One row for insertAll: the row as a serialized JSON object (BigQuery's accepted forms for each type) and
    // its insertId, which de-duplicates retries (empty: none).
    struct InsertRow
    {
        QString insertId;
        QByteArray json;
    };

    struct InsertOptions
    {
        bool skipInvalidRows = false;      // false: one bad row fails its whole request ("stopped" for the rest)
        bool ignoreUnknownValues = false;
        // A request carries at most maxRows rows and maxBytes bytes (500 and 10 MB, BigQuery's advice and limit).
        int maxRows = 500;
        qsizetype maxBytes = 9 * 1024 * 1024;
        int maxConcurrentRequests = 4;
    };

    struct RowError
    {
        int index = 0;          // into the rows given to insertRows
        QString reason;         // invalid, stopped, or the reason of a request that failed as a whole
        QString location;       // the field, when BigQuery names one
        QString message;
        bool retryable = false; // the row was not stored for a transient reason (stopped, a 5xx, a network error)
    };

    // Rows not in `errors` were stored.
    struct InsertResult
    {
        QList<RowError> errors;
        int insertedRows = 0;
    };

    struct QueryRequest
    {
        QString sql;
        QList<QueryParameter> parameters;
        int pageSize = 10000;               // rows per page (every page is also capped at about 10 MB)
        int timeoutMs = 10000;              // how long one call waits for the job to finish
        qint64 maximumBytesBilled = 0;      // 0: the project's default
        bool dryRun = false;
        QString location;
    };

    struct JobReference
    {
        QString projectId;
        QString jobId;
        QString location;
    };

    struct QueryPage
    {
        QList<TableField> fields;
        QList<QVariantList> rows;
        qint64 totalRows = 0;
        QString pageToken;                  // empty on the last page
        JobReference job;
        qint64 totalBytesProcessed = 0;
        bool cacheHit = false;
        qint64 dmlAffectedRows = -1;        // -1 unless the statement was DML

        bool hasMore() const { return !pageToken.isEmpty(); }
    };
}
