#include "core/server/api/eventrowwriter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "core/bigquery/cellformat.h"
#include "core/bigquery/timestamp.h"
#include "core/common/textencoding.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        const QString TIMESTAMP_COLUMN = u"timestamp"_s;
        const QString EVENT_DATA_COLUMN = u"event_data"_s;
        const QString INGEST_TIME_COLUMN = u"ingest_time"_s;

        int indexOf(const QList<BigQuery::TableField> &fields, const QString &name)
        {
            for (int i = 0; i < fields.size(); ++i) {
                if (fields[i].name.compare(name, Qt::CaseInsensitive) == 0)
                    return i;
            }
            return -1;
        }

        QString backticked(const QString &name)
        {
            return u'`' + name + u'`';
        }
    }

    Result<EventRowWriter> EventRowWriter::create(const QList<BigQuery::TableField> &fields, const QString &keyColumn)
    {
        EventRowWriter writer;
        writer.m_fields = fields;
        writer.m_key = indexOf(fields, keyColumn);
        writer.m_timestamp = indexOf(fields, TIMESTAMP_COLUMN);
        writer.m_eventData = indexOf(fields, EVENT_DATA_COLUMN);
        writer.m_ingestTime = indexOf(fields, INGEST_TIME_COLUMN);
        if (writer.m_key < 0 || writer.m_timestamp < 0 || fields[writer.m_timestamp].type != BigQuery::FieldType::Timestamp)
            return ApiError::failedPrecondition(u"The events table needs its key column \"%1\" and a TIMESTAMP column named timestamp to be served as events."_s.arg(keyColumn));
        if (writer.m_ingestTime >= 0 && fields[writer.m_ingestTime].type != BigQuery::FieldType::Timestamp)
            writer.m_ingestTime = -1;
        if (writer.m_eventData < 0) {
            for (int i = 0; i < fields.size(); ++i) {
                if (i != writer.m_key && i != writer.m_timestamp)
                    writer.m_otherColumns.append(i);
            }
        }
        return writer;
    }

    Result<QString> EventRowWriter::selectList(const BigQuery::TableSchema &schema, const QString &keyColumn)
    {
        const BigQuery::TableField *key = schema.field(keyColumn);
        const BigQuery::TableField *timestamp = schema.field(TIMESTAMP_COLUMN);
        if (!key || !timestamp || timestamp->type != BigQuery::FieldType::Timestamp)
            return ApiError::failedPrecondition(u"The events table needs its key column \"%1\" and a TIMESTAMP column named timestamp to be served as events."_s.arg(keyColumn));
        if (!schema.field(EVENT_DATA_COLUMN))
            return u"*"_s;
        QStringList columns {backticked(key->name), backticked(timestamp->name), backticked(EVENT_DATA_COLUMN)};
        if (hasIngestTime(schema))
            columns.append(backticked(INGEST_TIME_COLUMN));
        return columns.join(u", "_s);
    }

    bool EventRowWriter::hasIngestTime(const BigQuery::TableSchema &schema)
    {
        const BigQuery::TableField *field = schema.field(INGEST_TIME_COLUMN);
        return field && field->type == BigQuery::FieldType::Timestamp;
    }

    QString EventRowWriter::keyText(const QVariantList &row) const
    {
        const QVariant &value = row.value(m_key);
        return value.isNull() ? QString() : BigQuery::cellToText(m_fields[m_key], value);
    }

    QString EventRowWriter::timestampText(const QVariantList &row) const
    {
        const QVariant &value = row.value(m_timestamp);
        return value.isNull() ? QString() : value.value<BigQuery::Timestamp>().toRfc3339();
    }

    QByteArray EventRowWriter::eventDataJson(const QVariantList &row) const
    {
        if (m_eventData >= 0) {
            const QVariant &value = row.value(m_eventData);
            if (value.isNull())
                return QByteArrayLiteral("null");
            return Text::jsonText(BigQuery::cellToJson(m_fields[m_eventData], value));
        }
        QJsonObject object;
        for (int column : m_otherColumns)
            object.insert(m_fields[column].name, BigQuery::cellToJson(m_fields[column], row.value(column)));
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }

    void EventRowWriter::appendJson(const QVariantList &row, QByteArray &out) const
    {
        out += "{\"event_id\":";
        if (row.value(m_key).isNull())
            out += "null";
        else
            Text::appendJsonString(keyText(row), out);
        out += ",\"timestamp\":";
        if (row.value(m_timestamp).isNull())
            out += "null";
        else
            Text::appendJsonString(timestampText(row), out);
        out += ",\"event_data\":";
        out += eventDataJson(row);
        out += '}';
    }

    QByteArray EventRowWriter::csvHeader()
    {
        return QByteArrayLiteral("event_id,timestamp,event_data\r\n");
    }

    void EventRowWriter::appendCsv(const QVariantList &row, QByteArray &out) const
    {
        Text::appendCsvField(keyText(row).toUtf8(), out);
        out += ',';
        Text::appendCsvField(timestampText(row).toUtf8(), out);
        out += ',';
        const QByteArray data = m_eventData >= 0 && row.value(m_eventData).isNull() ? QByteArray() : eventDataJson(row);
        Text::appendCsvField(data, out);
        out += "\r\n";
    }

    EventSortKey EventRowWriter::sortKey(const QVariantList &row) const
    {
        EventSortKey key;
        key.timestampMicros = row.value(m_timestamp).value<BigQuery::Timestamp>().microsSinceEpoch;
        if (m_ingestTime >= 0)
            key.ingestTimeMicros = row.value(m_ingestTime).value<BigQuery::Timestamp>().microsSinceEpoch;
        key.key = keyText(row);
        return key;
    }
}
