#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

namespace Aq::BigQuery
{
    // A named query parameter (@name in GoogleSQL), as `aqueduct query --param name:TYPE:value` takes it and
    // jobs.query's queryParameters carry it (gcp-rest.md 2.7). The caller adds "parameterMode":"NAMED".
    struct QueryParameter
    {
        QString name;
        FieldType type = FieldType::String;   // the element type when isArray
        bool isArray = false;
        bool isNull = false;                  // the value NULL, as bq spells it
        QString value;                        // a scalar's canonical text (see parse)
        QStringList arrayValues;              // an array's elements, canonical text

        // "name:TYPE:value", as `bq query --parameter`: the name and the type end at the first two colons, the
        // value is the rest (colons and all). An empty TYPE is STRING ("name::value"). TYPE is one of STRING,
        // BYTES, INT64 (INTEGER), FLOAT64 (FLOAT), NUMERIC, BIGNUMERIC, BOOL (BOOLEAN), TIMESTAMP, DATE,
        // DATETIME, TIME, in any case, or ARRAY<one of those> with a JSON array value ('ids:ARRAY<INT64>:[1,2]').
        // The value "NULL" is a NULL of any type, as in bq (so a STRING cannot be the text NULL).
        // Values are checked against the type and sent in canonical form: INT64 as a decimal, FLOAT64 as
        // given (also NaN, Infinity, -Infinity), NUMERIC normalized ("1.50e2" -> "150"), BOOL true/false,
        // TIMESTAMP as RFC 3339 UTC (any form BigQuery reads for a TIMESTAMP literal; a zone-less time is UTC),
        // DATE/TIME/DATETIME normalized, BYTES as base64 (the value must be base64, as for bq).
        // Positional parameters (":TYPE:value") are refused: the request's parameterMode is NAMED.
        static Result<QueryParameter> parse(const QString &spec);
        // A scalar parameter whose value is already canonical text (what queries built in code send).
        static QueryParameter scalar(const QString &name, FieldType type, const QString &value);

        // "INT64", "ARRAY<INT64>"
        QString typeName() const;

        // {"name":..,"parameterType":{"type":..},"parameterValue":{"value":..}}; for arrays
        // {"type":"ARRAY","arrayType":{"type":..}} and {"arrayValues":[{"value":..},...]}.
        QJsonObject toJson() const;
    };

    // Several --param flags: each parsed, and a name given twice (case-insensitively, as BigQuery matches
    // them) is an error.
    Result<QList<QueryParameter>> parseQueryParameters(const QStringList &specs);
    // The request's queryParameters array.
    QJsonArray queryParametersToJson(const QList<QueryParameter> &parameters);
}
