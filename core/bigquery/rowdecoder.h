#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QVariant>

#include "core/bigquery/tableschema.h"
#include "core/bigquery/timestamp.h"
#include "core/common/result.h"

namespace Aq::BigQuery
{
    // Typed decoding of BigQuery's f/v rows ({"f":[{"v":...},...]}, gcp-rest.md 2.10) against a schema.
    //
    // One QVariant per cell:
    //   NULL (v null)         QVariant()
    //   STRING, GEOGRAPHY     QString
    //   BYTES                 QByteArray, decoded from base64
    //   INT64                 qint64
    //   FLOAT64               double ("NaN", "Infinity", "-Infinity" included)
    //   NUMERIC, BIGNUMERIC   QString, the exact canonical decimal ("1.50e2" arrives as "150")
    //   BOOL                  bool
    //   TIMESTAMP             Timestamp (microseconds). Accepted forms: float seconds ("1.714564800123456E9", the
    //                         default; read exactly from the decimal text, rounded to the microsecond), integer
    //                         microseconds ("1714564800123456", formatOptions.useInt64Timestamp) and RFC 3339
    //                         (timestampOutputFormat=ISO8601_STRING). A string of digits alone is microseconds: the
    //                         float form always has a point or an exponent ("0.0", "1.5", "1.7E9").
    //   DATE                  QDate
    //   TIME, DATETIME        QString as BigQuery writes them ("12:34:56.5", "2024-05-01T12:34:56"); other
    //                         spellings it accepts ("2024-05-01 12:34") are normalized to that form
    //   JSON                  QJsonValue parsed from the cell's text (a JSON null there is QJsonValue::Null,
    //                         unlike the SQL NULL, which is QVariant())
    //   RECORD                QVariantList of the sub-values in schema order
    //   REPEATED              QVariantList of the elements (a REPEATED RECORD: a list of lists); [] and a null v
    //                         (which BigQuery never sends) are both the empty list
    //
    // Every scalar must be a JSON string, as BigQuery sends them (a JSON number or boolean is an error, as it would
    // be for Google's clients). A null v is accepted in every mode: the decoder does not police REQUIRED. Anything
    // of the wrong shape or value is an ApiError (INTERNAL, not retryable) whose message names the row (0-based,
    // within the rows given) and the column path, e.g.
    // "Cannot decode row 3, column attrs[1].key (INT64): 'x' is not a 64-bit integer."

    // Rows of an already parsed reply.
    Result<QList<QVariantList>> decodeRows(const QList<TableField> &fields, const QJsonArray &rows);
    // One cell's v value.
    Result<QVariant> decodeCell(const TableField &field, const QJsonValue &v);

    // A whole jobs.query, jobs.getQueryResults or tabledata.list reply body, parsed here with simdjson: the fast
    // path (docs/BENCHMARKS.md, "Row decoding"). Replies of 4,096 rows or more are decoded on up to
    // min(cores, 8) threads, the caller's among them; the call returns when all are done, and an error names the
    // first bad row as a single pass would.
    struct DecodedReply
    {
        QList<TableField> fields;   // the reply's schema.fields, or the fields passed in
        QList<QVariantList> rows;
        QJsonObject other;          // every top-level member but "rows" (schema, jobReference, totalRows,
                                    // pageToken, jobComplete, ...)
    };
    // jobs.query / jobs.getQueryResults: the schema comes from the reply. A reply with rows and no schema is an
    // error; one with neither (jobComplete false) is not.
    Result<DecodedReply> decodeReply(const QByteArray &body);
    // tabledata.list, whose replies carry no schema: the table's fields (or the selectedFields, in order).
    Result<DecodedReply> decodeReply(const QByteArray &body, const QList<TableField> &fields);
}
