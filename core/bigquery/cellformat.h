#pragma once

#include <QJsonValue>
#include <QString>
#include <QVariant>

#include "core/bigquery/tableschema.h"

namespace Aq::BigQuery
{
    // Decoded cells (rowdecoder.h) for output: `aqueduct query --format table|csv|json`, exports, the console.
    //
    // cellToText, as `bq query` prints a cell, with one difference for TIMESTAMP:
    //   NULL                  "NULL" (bq's table form; a CSV writer prints "" itself, as bq's csv does)
    //   STRING, GEOGRAPHY     the text
    //   BYTES                 base64, as BigQuery sends it
    //   INT64                 the decimal; NUMERIC, BIGNUMERIC: the exact decimal
    //   FLOAT64               float64ToText: as the local cloud writes FLOAT64 cells
    //   BOOL                  "true" / "false"
    //   TIMESTAMP             "2024-05-01 12:00:00.123456 UTC" (the fraction only when not zero). bq prints
    //                         "2024-05-01 12:00:00": the same layout, but it drops the microseconds and the zone;
    //                         we keep both, as BigQuery's console shows them, and the text reads back as a
    //                         TIMESTAMP literal
    //   DATE                  "2024-05-01"; TIME and DATETIME: BigQuery's text ("2024-05-01T12:34:56")
    //   JSON                  compact JSON text
    //   RECORD, REPEATED      compact JSON text of cellToJson's value, as bq prints them; a RECORD is an
    //                         object whose members are in schema order
    QString cellToText(const TableField &field, const QVariant &value);

    // A FLOAT64 as text, the shortest that reads back as the same double: whole numbers below 1e15 without a
    // point or an exponent ("3", "1000000"), others in %g style ("1.5", "0.1", "1e+20"), and BigQuery's "NaN",
    // "Infinity", "-Infinity". The local cloud writes its FLOAT64 cells with it too.
    QString float64ToText(double value);

    // cellToJson, following `bq --format=json` (which writes every scalar as the string BigQuery sent) where it
    // matters for precision, and JSON's own types where it does not:
    //   INT64, NUMERIC, BIGNUMERIC   always strings, as bq writes them: a double holds integers exactly only
    //                                to 2^53, and one type per column is easier on readers than a number that
    //                                turns into a string above some size
    //   FLOAT64                      a number; NaN and ±Infinity, which JSON lacks, as the strings "NaN",
    //                                "Infinity", "-Infinity" (bq: every FLOAT64 as a string)
    //   BOOL                         true / false (bq: "true" / "false")
    //   JSON                         the value itself, so `jq .event_data.x` works (bq: the JSON text as a string)
    //   TIMESTAMP, DATE, TIME, DATETIME, STRING, GEOGRAPHY, BYTES (base64)   strings, as in cellToText
    //   RECORD                       an object keyed by the sub-field names (QJsonObject sorts its keys)
    //   REPEATED                     an array
    //   NULL                         null
    QJsonValue cellToJson(const TableField &field, const QVariant &value);
}
