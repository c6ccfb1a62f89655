#pragma once

#include <QByteArray>
#include <QList>
#include <QVariantList>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

namespace Aq::Server
{
    // Where a row sits in "newest first" order (DESIGN.md: by timestamp descending, ties by ingest order, then
    // by key so that the order is total). What a page token carries.
    struct EventSortKey
    {
        qint64 timestampMicros = 0;
        qint64 ingestTimeMicros = 0;   // 0 when the row (or the table) has none
        QString key;
    };

    // Writes rows of the events table in the shape the seeds' API returns and /events, /api/v1/{id} and /data
    // share: {"event_id": ..., "timestamp": "2024-05-01T12:00:00Z", "event_data": {...}}. event_id is the key
    // column's value; event_data is the event_data column, or, for a table without one, an object of every
    // column but the key and timestamp.
    //
    // Made once per result schema (a query's fields, or the table's for tabledata.list).
    class EventRowWriter
    {
    public:
        static Result<EventRowWriter> create(const QList<BigQuery::TableField> &fields, const QString &keyColumn);

        // The SELECT list that gives this writer all it needs from the events table, and only that.
        static Result<QString> selectList(const BigQuery::TableSchema &schema, const QString &keyColumn);
        // True when the table has the ingest_time column that breaks ties.
        static bool hasIngestTime(const BigQuery::TableSchema &schema);

        void appendJson(const QVariantList &row, QByteArray &out) const;
        static QByteArray csvHeader();   // "event_id,timestamp,event_data\r\n"
        void appendCsv(const QVariantList &row, QByteArray &out) const;   // RFC 4180, CRLF
        EventSortKey sortKey(const QVariantList &row) const;

    private:
        QByteArray eventDataJson(const QVariantList &row) const;
        QString keyText(const QVariantList &row) const;
        QString timestampText(const QVariantList &row) const;

        QList<BigQuery::TableField> m_fields;
        int m_key = -1;
        int m_timestamp = -1;
        int m_eventData = -1;
        int m_ingestTime = -1;
        QList<int> m_otherColumns;   // event_data's members when there is no event_data column
    };
}
