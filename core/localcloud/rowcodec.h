#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/localcloud/cellbatch.h"
#include "core/localcloud/jsonwriter.h"
#include "core/localcloud/sql/sqltranslator.h"

namespace Aq::LocalCloud::RowCodec
{
    // One problem with one value of an insertAll row, as BigQuery reports it in insertErrors.
    struct CellError
    {
        QString location;   // field path, e.g. "attrs.key"
        QString message;
    };

    // A whole tabledata.insertAll request body, parsed, validated against the schema and converted to the
    // storage encoding described in sql/sqltranslator.h (unknown fields are row errors unless
    // ignoreUnknownValues). Pure work with no shared state, so it runs on a pool thread while the one writer
    // stores the previous request.
    struct DecodedInsert
    {
        CellBatch rows;                     // one cell per top-level schema field, in schema order
        CellBatch insertIds;                // one TEXT cell per row; NULL when the row has none
        QList<QList<CellError>> errors;     // per row; empty when the row is fine
        bool skipInvalidRows = false;
        bool anyInvalid = false;
    };
    Result<DecodedInsert> decodeInsertAll(const BigQuery::TableSchema &schema, const QByteArray &body, int maxRows);

    enum class TimestampFormat
    {
        FloatSeconds,       // BigQuery's default: "1.714564800123456E9"
        Int64Micros,        // formatOptions.useInt64Timestamp=true
        Iso8601,            // formatOptions.timestampOutputFormat=ISO8601_STRING
    };

    // Appends {"v": ...} for one stored value in BigQuery's f/v cell encoding.
    void writeCell(JsonWriter &writer, const BigQuery::TableField &field, const SqlValue &stored, TimestampFormat format);

    QString formatDouble(double value);

    QString formatTimestampSeconds(qint64 micros);   // the default float-seconds form
}
