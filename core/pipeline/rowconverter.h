#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/pubsub/pubsubmessage.h"

namespace Aq::Pipeline
{
    // What to do with a message's top-level fields that the table has no column for.
    enum class UnknownFields
    {
        Ignore,   // drop them (with the default schema, event_data keeps the whole message when it has no event_data)
        Reject,   // the row goes to the error table
    };

    struct RowConverterOptions
    {
        QString keyColumn = QStringLiteral("event_id");
        UnknownFields unknownFields = UnknownFields::Ignore;
    };

    // One message made into one table row.
    struct ConvertedRow
    {
        QString insertId;        // the key column's value; without one, topic + messageId + publishTime
        QByteArray json;         // the row as a compact JSON object, in BigQuery's insertAll forms
        qint64 eventTimeMicros = 0;   // the row's timestamp column, when it has one
    };

    // Validates a message's data (JSON) against the table schema and converts it to a row (DESIGN.md, Data
    // contracts): required fields, types, RFC 3339 (or any BigQuery TIMESTAMP form) timestamps, NUMERIC kept
    // exact, RECORD and REPEATED. For the design's default schema it also maps the seeds' event shape: event_id
    // or id; event_type and user_id at the top level or inside event_data; event_data the message's event_data
    // object (else the whole message); message_id, publish_time and ingest_time from Pub/Sub and the pipeline.
    // A user schema takes each column from the top-level field of the same name; the three metadata columns are
    // filled when the schema has them.
    //
    // An error says what is wrong and where ("field timestamp: \"yesterday\" is not a TIMESTAMP"); such a row can
    // never be stored and belongs in the error table.
    class RowConverter
    {
    public:
        RowConverter(BigQuery::TableSchema schema, RowConverterOptions options = {});

        Result<ConvertedRow> convert(const PubSub::PubsubMessage &message, const QString &topic, qint64 ingestTimeMicros) const;
        // What `aqueduct publish --validate` and POST /publish?validate=true check before sending: the same rules,
        // without the Pub/Sub metadata.
        Status validate(const QByteArray &data) const;

        const BigQuery::TableSchema &schema() const { return m_schema; }
        bool isDefaultSchema() const { return m_defaultSchema; }
        const RowConverterOptions &options() const { return m_options; }
        // The design's default events table.
        static BigQuery::TableSchema defaultSchema();
        // The Dataflow template's <table>_error_records schema.
        static BigQuery::TableSchema errorTableSchema();

    private:
        // A user schema's row.
        Result<QJsonObject> rowObject(const QJsonObject &message) const;
        Result<ConvertedRow> defaultRow(const QJsonObject &message, const PubSub::PubsubMessage &pubsub, const QString &topic,
                                        qint64 ingestTimeMicros) const;

        BigQuery::TableSchema m_schema;
        RowConverterOptions m_options;
        bool m_defaultSchema = false;
    };
}
