#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include "core/bigquery/queryparameter.h"
#include "core/bigquery/tableschema.h"

namespace Aq::BigQuery
{
    // The "newest first" order of an events table and its keyset conditions, as GET /events
    // (core/server/api/eventsquery) and the console's Rows page (ui/rows/rowquery) both read it:
    //
    //   ORDER BY time DESC, COALESCE(ingest_time, epoch) DESC, key DESC
    //
    // ties of the time column broken by ingest order, then by the key. NULLs sort as the epoch (times), the
    // smallest INT64 or '' (keys), so that every row has a place and a page token can name it. A sort key is
    // the sort columns' values as query parameter text (TIMESTAMP as RFC 3339, the key as its text).
    class NewestFirstQuery
    {
    public:
        struct Column
        {
            QString expression;             // `timestamp`, COALESCE(`ingest_time`, TIMESTAMP '1970-...')
            FieldType parameterType = FieldType::String;
            int fieldIndex = -1;            // in the schema
            QString nullValue;              // the parameter text of a NULL (what COALESCE makes of it)
            bool plainColumn = true;        // the bare column: an index on it can serve a range
        };

        enum class Direction
        {
            NewestFirst,
            OldestFirst,
        };

        enum class Bound
        {
            Older,          // strictly after the key in newest-first order
            OlderOrSame,    // after it, or the key's own row
            Newer,          // strictly before it
        };

        NewestFirstQuery() = default;
        // The time column takes part when it is a TIMESTAMP other than the key; ingest_time when the table has
        // one (a TIMESTAMP, not repeated); the key when the schema has it.
        NewestFirstQuery(const TableSchema &schema, const QString &timeColumn, const QString &keyColumn);

        const QList<Column> &columns() const { return m_columns; }

        // " ORDER BY `timestamp` DESC, ..." (ascending for OldestFirst); empty when there are no columns.
        QString orderBy(Direction direction) const;

        // The rows on one side of `key`, with its values as parameters @<prefix>0, @<prefix>1, ... appended
        // to `parameters`: c1 < @k0 OR (c1 = @k0 AND (c2 < @k1 OR (...))). When the first column is plain,
        // the same bound on it alone leads ("c1 <= @k0 AND (...)"), which an index on it serves as a range.
        QString keyCondition(const QStringList &key, Bound bound, const QString &prefix, QList<QueryParameter> &parameters) const;

        // The sort key of a row decoded in the schema's column order.
        QStringList sortKeyOf(const QVariantList &row) const;

    private:
        TableSchema m_schema;
        QList<Column> m_columns;
    };
}
