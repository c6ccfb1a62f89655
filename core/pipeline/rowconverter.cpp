#include "core/pipeline/rowconverter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include <simdjson.h>

#include <QJsonArray>
#include <QJsonDocument>

#include "core/bigquery/numeric.h"
#include "core/common/qtjsonwriter.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::FieldMode;
using Aq::BigQuery::FieldType;
using Aq::BigQuery::TableField;
using Aq::BigQuery::TableSchema;

namespace Aq::Pipeline
{
    namespace
    {
        TableField field(const QString &name, FieldType type, FieldMode mode = FieldMode::Nullable, QList<TableField> fields = {})
        {
            TableField f;
            f.name = name;
            f.type = type;
            f.mode = mode;
            f.fields = std::move(fields);
            return f;
        }

        // A value as QJsonDocument writes it in compact form.
        QString describe(const QJsonValue &value)
        {
            if (value.isString())
                return u"\"%1\""_s.arg(value.toString().left(80));
            if (value.isObject())
                return u"an object"_s;
            if (value.isArray())
                return u"an array"_s;
            return QString::fromUtf8(QtJson::text(value));
        }

        ApiError invalid(const QString &path, const QString &what)
        {
            return ApiError::invalidArgument(u"field %1: %2"_s.arg(path, what));
        }

        Result<QJsonValue> convertScalar(const TableField &f, const QJsonValue &value, const QString &path)
        {
            const QString typeName = BigQuery::standardTypeName(f.type);
            const auto wrong = [&] { return invalid(path, u"%1 is not a %2"_s.arg(describe(value), typeName)); };
            switch (f.type) {
            case FieldType::String:
            case FieldType::Geography:
                if (value.isString())
                    return value;
                if (value.isDouble() || value.isBool())
                    return QJsonValue(describe(value));
                return wrong();
            case FieldType::Int64: {
                if (value.isDouble()) {
                    const double d = value.toDouble();
                    if (std::trunc(d) != d || std::fabs(d) > 9007199254740992.0)
                        return wrong();
                    return QJsonValue(QString::number(qint64(d)));
                }
                bool ok = false;
                const qint64 n = value.toString().trimmed().toLongLong(&ok);
                return ok ? Result<QJsonValue>(QJsonValue(QString::number(n))) : Result<QJsonValue>(wrong());
            }
            case FieldType::Float64: {
                if (value.isDouble())
                    return value;
                const QString text = value.toString().trimmed();
                if (text == u"NaN"_s || text == u"Infinity"_s || text == u"-Infinity"_s)
                    return QJsonValue(text);
                bool ok = false;
                const double d = text.toDouble(&ok);
                return ok ? Result<QJsonValue>(QJsonValue(d)) : Result<QJsonValue>(wrong());
            }
            case FieldType::Numeric:
            case FieldType::BigNumeric: {
                QString text;
                if (value.isDouble())
                    text = QString::number(value.toDouble(), 'g', 17);
                else if (value.isString())
                    text = value.toString().trimmed();
                else
                    return wrong();
                const std::optional<QString> normalized = BigQuery::normalizeNumeric(text, f.type == FieldType::BigNumeric);
                return normalized ? Result<QJsonValue>(QJsonValue(*normalized)) : Result<QJsonValue>(wrong());
            }
            case FieldType::Bool:
                if (value.isBool())
                    return value;
                if (value.toString() == u"true"_s || value.toString() == u"false"_s)
                    return QJsonValue(value.toString() == u"true"_s);
                return wrong();
            case FieldType::Timestamp: {
                const std::optional<qint64> micros = Time::parseTimestamp(value);
                if (!micros)
                    return invalid(path, u"%1 is not a TIMESTAMP (use RFC 3339, e.g. 2024-05-01T12:00:00Z)"_s.arg(describe(value)));
                return QJsonValue(Time::formatRfc3339(*micros));
            }
            case FieldType::Date:
            case FieldType::Time:
            case FieldType::Datetime: {
                if (!value.isString())
                    return wrong();
                const std::optional<QString> normalized = f.type == FieldType::Date ? Time::normalizeDate(value.toString())
                    : f.type == FieldType::Time                                       ? Time::normalizeTime(value.toString())
                                                                                      : Time::normalizeDatetime(value.toString());
                return normalized ? Result<QJsonValue>(QJsonValue(*normalized)) : Result<QJsonValue>(wrong());
            }
            case FieldType::Bytes: {
                if (!value.isString())
                    return wrong();
                const auto decoded = QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded)
                    return invalid(path, u"%1 is not base64 (BYTES are sent as base64)"_s.arg(describe(value)));
                return value;
            }
            case FieldType::Json: {
                // As insertAll takes it: a string holding JSON text; an object, array or scalar is serialized.
                if (value.isString()) {
                    QJsonParseError error;
                    QJsonDocument::fromJson(value.toString().toUtf8(), &error);
                    const bool scalarText = error.error != QJsonParseError::NoError
                        && !QJsonDocument::fromJson("[" + value.toString().toUtf8() + "]").isNull();
                    if (error.error == QJsonParseError::NoError || scalarText)
                        return value;
                    return invalid(path, u"%1 is not JSON text"_s.arg(describe(value)));
                }
                return QJsonValue(QString::fromUtf8(QtJson::text(value)));
            }
            case FieldType::Record:
                break;
            }
            return wrong();
        }

        Result<QJsonValue> convertValue(const TableField &f, const QJsonValue &value, const QString &path, UnknownFields unknown);

        Result<QJsonObject> convertRecord(const QList<TableField> &fields, const QJsonObject &object, const QString &prefix, UnknownFields unknown)
        {
            QJsonObject row;
            for (const TableField &f : fields) {
                const QString path = prefix.isEmpty() ? f.name : prefix + u'.' + f.name;
                Result<QJsonValue> converted = convertValue(f, object.value(f.name), path, unknown);
                if (!converted)
                    return converted.error();
                if (!converted->isNull() && !converted->isUndefined())
                    row.insert(f.name, *converted);
            }
            if (unknown == UnknownFields::Reject) {
                for (auto it = object.begin(); it != object.end(); ++it) {
                    const bool known = std::any_of(fields.begin(), fields.end(), [&](const TableField &f) { return f.name == it.key(); });
                    if (!known)
                        return invalid(prefix.isEmpty() ? it.key() : prefix + u'.' + it.key(), u"the table has no such column"_s);
                }
            }
            return row;
        }

        Result<QJsonValue> convertValue(const TableField &f, const QJsonValue &value, const QString &path, UnknownFields unknown)
        {
            if (value.isNull() || value.isUndefined()) {
                if (f.isRequired())
                    return invalid(path, u"is required and missing"_s);
                return QJsonValue(QJsonValue::Null);
            }
            if (f.isRepeated()) {
                if (!value.isArray())
                    return invalid(path, u"%1 is not an array (the column is REPEATED)"_s.arg(describe(value)));
                TableField element = f;
                element.mode = FieldMode::Nullable;
                QJsonArray out;
                const QJsonArray items = value.toArray();
                for (qsizetype i = 0; i < items.size(); ++i) {
                    if (items[i].isNull())
                        return invalid(u"%1[%2]"_s.arg(path).arg(i), u"an array element cannot be NULL"_s);
                    Result<QJsonValue> converted = convertValue(element, items[i], u"%1[%2]"_s.arg(path).arg(i), unknown);
                    if (!converted)
                        return converted.error();
                    out.append(*converted);
                }
                return QJsonValue(out);
            }
            if (f.type == FieldType::Record) {
                if (!value.isObject())
                    return invalid(path, u"%1 is not an object (the column is a RECORD)"_s.arg(describe(value)));
                Result<QJsonObject> record = convertRecord(f.fields, value.toObject(), path, unknown);
                if (!record)
                    return record.error();
                return QJsonValue(*record);
            }
            return convertScalar(f, value, path);
        }

        Result<QJsonObject> parseMessage(const QByteArray &data)
        {
            if (data.isEmpty())
                return ApiError::invalidArgument(u"the message has no data (an event is a JSON object)"_s);
            if (!QByteArrayView(data).isValidUtf8())
                return ApiError::invalidArgument(u"the message data is not valid UTF-8"_s);
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(data, &error);
            if (error.error != QJsonParseError::NoError)
                return ApiError::invalidArgument(u"the message data is not JSON: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset));
            if (!document.isObject())
                return ApiError::invalidArgument(u"the message data is JSON but not an object; an event is a JSON object"_s);
            return document.object();
        }

        const QStringList &metadataColumns()
        {
            static const QStringList names {u"message_id"_s, u"publish_time"_s, u"ingest_time"_s};
            return names;
        }

        // Appends `value` as QJsonDocument writes it: printable ASCII strings, nearly every value, here; anything
        // else through QJsonDocument, so that the text is the same.
        void appendJson(QByteArray &out, const QJsonValue &value)
        {
            if (value.isString()) {
                const QString text = value.toString();
                if (QtJson::appendPlainString(out, text.utf16(), text.size()))
                    return;
            }
            out += QtJson::text(value);
        }

        // The default schema: the seeds' event shape mapped to its first five columns (event_id or id; event_type
        // and user_id at the top level or inside event_data; event_data, else the whole message), each converted
        // by its column's rules, in the schema's order; Null where there is no value.
        constexpr int SeedsColumnCount = 5;
        using SeedsColumns = std::array<QJsonValue, SeedsColumnCount>;

        Result<SeedsColumns> seedsColumns(const QList<TableField> &fields, const QJsonObject &message, UnknownFields unknown)
        {
            const QJsonValue data = message.value(u"event_data"_s);
            const QJsonObject eventData = data.toObject();
            const auto topOrData = [&](const QString &name) {
                const QJsonValue top = message.value(name);
                return top.isUndefined() || top.isNull() ? eventData.value(name) : top;
            };
            if (unknown == UnknownFields::Reject) {
                static const QStringList known {u"event_id"_s, u"id"_s, u"event_type"_s, u"user_id"_s, u"timestamp"_s, u"event_data"_s};
                for (auto it = message.begin(); it != message.end(); ++it) {
                    if (!known.contains(it.key()))
                        return invalid(it.key(), u"the table has no such column"_s);
                }
            }
            const QJsonValue id = message.contains(u"event_id"_s) ? message.value(u"event_id"_s) : message.value(u"id"_s);
            if (id.isUndefined() || id.isNull())
                return invalid(u"event_id"_s, u"is required and missing (the event needs event_id or id)"_s);
            const SeedsColumns mapped {id, topOrData(u"event_type"_s), topOrData(u"user_id"_s), message.value(u"timestamp"_s),
                                       data.isUndefined() || data.isNull() ? QJsonValue(message) : data};
            SeedsColumns converted;
            for (int i = 0; i < SeedsColumnCount; ++i) {
                Result<QJsonValue> value = convertValue(fields[i], mapped[i], fields[i].name, UnknownFields::Ignore);
                if (!value)
                    return value.error();
                converted[i] = std::move(*value);
            }
            return converted;
        }

        // The default schema's columns: the five above, then message_id, publish_time, ingest_time.
        constexpr int DefaultColumnCount = SeedsColumnCount + 3;
        enum DefaultColumn { EventId, EventType, UserId, Timestamp, EventData, MessageId, PublishTime, IngestTime };

        // The order in which QJsonDocument writes the default schema's columns: QJsonObject keeps its keys sorted.
        const std::array<int, DefaultColumnCount> &defaultColumnOrder()
        {
            static const std::array<int, DefaultColumnCount> order = [] {
                const TableSchema schema = RowConverter::defaultSchema();
                std::array<int, DefaultColumnCount> o {};
                std::iota(o.begin(), o.end(), 0);
                std::sort(o.begin(), o.end(), [&](int a, int b) { return schema.fields[a].name < schema.fields[b].name; });
                return o;
            }();
            return order;
        }

        // The default schema's row as JSON text from its columns' values, each already JSON (empty: NULL, left out).
        QByteArray defaultRowJson(const QList<TableField> &fields, const std::array<QByteArray, DefaultColumnCount> &values)
        {
            QByteArray json;
            json.reserve(std::accumulate(values.begin(), values.end(), qsizetype(128), [](qsizetype n, const QByteArray &v) { return n + v.size(); }));
            json += '{';
            for (int i : defaultColumnOrder()) {
                if (values[i].isEmpty())
                    continue;
                if (json.size() > 1)
                    json += ',';
                json += '"' + fields[i].name.toLatin1() + "\":" + values[i];
            }
            json += '}';
            return json;
        }

        QByteArray quoted(const QString &plainText)
        {
            return '"' + plainText.toLatin1() + '"';
        }

        // The default schema's fast path: the message parsed with simdjson and the row written straight from it,
        // byte for byte what the general path (QJsonDocument::fromJson, the column rules, QJsonDocument's writer)
        // writes. It covers what it can be sure of doing exactly alike: printable ASCII strings, no duplicate keys,
        // integers within 2^53, string ids and timestamps, an object or array for event_data; anything else, and
        // every error, is left to the general path (nullopt).
        constexpr qsizetype FastPathMaxBytes = 64 * 1024;

        // Time::formatRfc3339 remembered for the last instant asked, per column and thread: the messages of one pull
        // share their publish time (one publish request), those converted together their ingest time, and events
        // of the same millisecond their timestamp. snprintf is most of the formatting's cost.
        enum class TimeColumn { Timestamp, PublishTime, IngestTime };

        const QString &rfc3339(TimeColumn column, qint64 micros)
        {
            struct Remembered
            {
                qint64 micros = std::numeric_limits<qint64>::min();
                QString text;
            };
            thread_local std::array<Remembered, 3> remembered;
            Remembered &last = remembered[size_t(column)];
            if (last.micros != micros) {
                last.micros = micros;
                last.text = Time::formatRfc3339(micros);
            }
            return last.text;
        }

        std::optional<ConvertedRow> fastDefaultRow(const QList<TableField> &fields, const RowConverterOptions &options,
                                                   const PubSub::PubsubMessage &message, const QString &topic, qint64 ingestTimeMicros)
        {
            using simdjson::dom::element;
            using simdjson::dom::element_type;
            if (message.data.isEmpty() || message.data.size() > FastPathMaxBytes)
                return std::nullopt;
            thread_local simdjson::dom::parser parser;
            element root;
            if (parser.parse(message.data.constData(), size_t(message.data.size())).get(root) != simdjson::SUCCESS || root.type() != element_type::OBJECT)
                return std::nullopt;

            // The top-level fields the default schema reads; duplicates and, when refused, unknown fields are left
            // to the general path.
            static constexpr std::array<std::string_view, 6> Known {"event_id", "id", "event_type", "user_id", "timestamp", "event_data"};
            std::array<std::optional<element>, Known.size()> top;
            const simdjson::dom::object rootObject = root.get_object().value_unsafe();
            for (simdjson::dom::key_value_pair field : rootObject) {
                const auto known = std::find(Known.begin(), Known.end(), field.key);
                if (known == Known.end()) {
                    if (options.unknownFields == UnknownFields::Reject)
                        return std::nullopt;
                    continue;
                }
                std::optional<element> &slot = top[size_t(known - Known.begin())];
                if (slot)
                    return std::nullopt;
                slot = field.value;
            }
            const auto present = [](const std::optional<element> &e) { return e && e->type() != element_type::NULL_VALUE; };
            const std::optional<element> &data = top[5];
            std::array<QByteArray, DefaultColumnCount> values;
            std::array<std::string_view, DefaultColumnCount> plainStrings;   // the string columns' values, for the insertId

            const std::optional<element> &id = top[0] ? top[0] : top[1];
            if (!present(id) || id->type() != element_type::STRING)
                return std::nullopt;
            plainStrings[EventId] = id->get_string().value_unsafe();
            for (const auto &[column, index] : {std::pair {EventType, 2}, std::pair {UserId, 3}}) {
                std::optional<element> value = top[size_t(index)];
                if (!present(value)) {
                    value.reset();
                    element inData;
                    if (data && data->type() == element_type::OBJECT) {
                        const simdjson::dom::object dataObject = data->get_object().value_unsafe();
                        if (dataObject.at_key(Known[size_t(index)]).get(inData) == simdjson::SUCCESS)
                            value = inData;
                    }
                }
                if (!present(value))
                    continue;
                if (value->type() != element_type::STRING)
                    return std::nullopt;
                plainStrings[column] = value->get_string().value_unsafe();
            }
            for (int column : {EventId, EventType, UserId}) {
                if (plainStrings[column].data() && !QtJson::appendPlainString(values[column], plainStrings[column].data(), qsizetype(plainStrings[column].size())))
                    return std::nullopt;
            }

            const std::optional<element> &timestamp = top[4];
            if (!present(timestamp) || timestamp->type() != element_type::STRING)
                return std::nullopt;
            const std::string_view timestampText = timestamp->get_string().value_unsafe();
            const std::optional<qint64> eventTime = Time::parseTimestamp(QString::fromUtf8(timestampText.data(), qsizetype(timestampText.size())));
            if (!eventTime)
                return std::nullopt;
            const QString timestampColumn = rfc3339(TimeColumn::Timestamp, *eventTime);
            values[Timestamp] = quoted(timestampColumn);

            // event_data: the object or array as JSON text in a string, else the whole message.
            QByteArray eventData;
            if (!present(data)) {
                if (!QtJson::append(eventData, root))
                    return std::nullopt;
            } else if (data->type() == element_type::OBJECT || data->type() == element_type::ARRAY) {
                if (!QtJson::append(eventData, *data))
                    return std::nullopt;
            } else {
                return std::nullopt;   // a string must be checked as JSON text; a scalar is rare
            }
            if (!QtJson::appendPlainString(values[EventData], eventData.constData(), eventData.size()))
                return std::nullopt;

            appendJson(values[MessageId], QJsonValue(message.messageId));
            QString publishTime;
            if (message.publishTimeMicros > 0) {
                publishTime = rfc3339(TimeColumn::PublishTime, message.publishTimeMicros);
                values[PublishTime] = quoted(publishTime);
            }
            const QString ingestTime = rfc3339(TimeColumn::IngestTime, ingestTimeMicros);
            values[IngestTime] = quoted(ingestTime);

            ConvertedRow converted;
            const auto keyColumn = std::find_if(fields.begin(), fields.end(), [&](const TableField &f) { return f.name == options.keyColumn; });
            switch (keyColumn == fields.end() ? -1 : int(keyColumn - fields.begin())) {
            case EventId:
            case EventType:
            case UserId: {
                const std::string_view key = plainStrings[keyColumn - fields.begin()];
                converted.insertId = QString::fromLatin1(key.data(), qsizetype(key.size()));
                break;
            }
            case Timestamp:
                converted.insertId = timestampColumn;
                break;
            case EventData:
                converted.insertId = QString::fromLatin1(eventData);
                break;
            case MessageId:
                converted.insertId = message.messageId;
                break;
            case PublishTime:
                converted.insertId = publishTime;
                break;
            case IngestTime:
                converted.insertId = ingestTime;
                break;
            default:
                break;
            }
            if (converted.insertId.isEmpty())
                converted.insertId = u"%1:%2:%3"_s.arg(topic, message.messageId).arg(message.publishTimeMicros);
            if (const std::optional<qint64> time = Time::parseTimestamp(timestampColumn))
                converted.eventTimeMicros = *time;
            converted.json = defaultRowJson(fields, values);
            return converted;
        }
    }

    RowConverter::RowConverter(TableSchema schema, RowConverterOptions options)
        : m_schema {std::move(schema)}
        , m_options {std::move(options)}
        , m_defaultSchema {m_schema == defaultSchema()}
    {
    }

    TableSchema RowConverter::defaultSchema()
    {
        TableSchema schema;
        schema.fields = {
            field(u"event_id"_s, FieldType::String, FieldMode::Required),
            field(u"event_type"_s, FieldType::String),
            field(u"user_id"_s, FieldType::String),
            field(u"timestamp"_s, FieldType::Timestamp, FieldMode::Required),
            field(u"event_data"_s, FieldType::Json),
            field(u"message_id"_s, FieldType::String),
            field(u"publish_time"_s, FieldType::Timestamp),
            field(u"ingest_time"_s, FieldType::Timestamp),
        };
        return schema;
    }

    TableSchema RowConverter::errorTableSchema()
    {
        TableSchema schema;
        schema.fields = {
            field(u"timestamp"_s, FieldType::Timestamp, FieldMode::Required),
            field(u"payloadString"_s, FieldType::String),
            field(u"payloadBytes"_s, FieldType::Bytes),
            field(u"attributes"_s, FieldType::Record, FieldMode::Repeated,
                  {field(u"key"_s, FieldType::String), field(u"value"_s, FieldType::String)}),
            field(u"errorMessage"_s, FieldType::String),
            field(u"stacktrace"_s, FieldType::String),
        };
        return schema;
    }

    Result<QJsonObject> RowConverter::rowObject(const QJsonObject &message) const
    {
        // A user schema: columns by name; the metadata columns are the pipeline's to fill.
        QList<TableField> fromMessage;
        for (const TableField &f : m_schema.fields) {
            if (!metadataColumns().contains(f.name) || message.contains(f.name))
                fromMessage.append(f);
        }
        return convertRecord(fromMessage, message, {}, m_options.unknownFields);
    }

    // The default schema's row is written straight to JSON text: the same bytes QJsonDocument writes for the
    // QJsonObject of those columns (in its key order), without building that object, which cost more than the
    // parse (benchingest, docs/BENCHMARKS.md).
    Result<ConvertedRow> RowConverter::defaultRow(const QJsonObject &message, const PubSub::PubsubMessage &pubsub, const QString &topic,
                                                  qint64 ingestTimeMicros) const
    {
        Result<SeedsColumns> columns = seedsColumns(m_schema.fields, message, m_options.unknownFields);
        if (!columns)
            return columns.error();
        std::array<QJsonValue, DefaultColumnCount> values;   // in the schema's order; Null: no value
        std::move(columns->begin(), columns->end(), values.begin());
        values[MessageId] = QJsonValue(pubsub.messageId);
        if (pubsub.publishTimeMicros > 0)
            values[PublishTime] = QJsonValue(Time::formatRfc3339(pubsub.publishTimeMicros));
        values[IngestTime] = QJsonValue(Time::formatRfc3339(ingestTimeMicros));

        ConvertedRow converted;
        std::array<QByteArray, DefaultColumnCount> json;
        for (int i = 0; i < DefaultColumnCount; ++i) {
            if (m_schema.fields[i].name == m_options.keyColumn && values[i].isString())
                converted.insertId = values[i].toString();
            if (!values[i].isNull() && !values[i].isUndefined())
                appendJson(json[i], values[i]);
        }
        if (converted.insertId.isEmpty())
            converted.insertId = u"%1:%2:%3"_s.arg(topic, pubsub.messageId).arg(pubsub.publishTimeMicros);
        if (const std::optional<qint64> time = Time::parseTimestamp(values[Timestamp]))
            converted.eventTimeMicros = *time;
        converted.json = defaultRowJson(m_schema.fields, json);
        return converted;
    }

    Result<ConvertedRow> RowConverter::convert(const PubSub::PubsubMessage &message, const QString &topic, qint64 ingestTimeMicros) const
    {
        if (m_defaultSchema) {
            if (std::optional<ConvertedRow> row = fastDefaultRow(m_schema.fields, m_options, message, topic, ingestTimeMicros))
                return std::move(*row);
        }
        Result<QJsonObject> parsed = parseMessage(message.data);
        if (!parsed)
            return parsed.error();
        if (m_defaultSchema)
            return defaultRow(*parsed, message, topic, ingestTimeMicros);
        Result<QJsonObject> row = rowObject(*parsed);
        if (!row)
            return row.error();
        const auto fillMetadata = [&](const QString &name, const QJsonValue &value) {
            const TableField *f = m_schema.field(name);
            if (f && !row->contains(name))
                row->insert(name, value);
        };
        fillMetadata(u"message_id"_s, message.messageId);
        if (message.publishTimeMicros > 0)
            fillMetadata(u"publish_time"_s, Time::formatRfc3339(message.publishTimeMicros));
        fillMetadata(u"ingest_time"_s, Time::formatRfc3339(ingestTimeMicros));

        ConvertedRow converted;
        const QJsonValue key = row->value(m_options.keyColumn);
        if (key.isString() && !key.toString().isEmpty())
            converted.insertId = key.toString();
        else
            converted.insertId = u"%1:%2:%3"_s.arg(topic, message.messageId).arg(message.publishTimeMicros);
        if (const std::optional<qint64> time = Time::parseTimestamp(row->value(u"timestamp"_s)); time && row->contains(u"timestamp"_s))
            converted.eventTimeMicros = *time;
        converted.json = QJsonDocument(*row).toJson(QJsonDocument::Compact);
        return converted;
    }

    Status RowConverter::validate(const QByteArray &data) const
    {
        Result<QJsonObject> parsed = parseMessage(data);
        if (!parsed)
            return parsed.error();
        if (m_defaultSchema) {
            if (Result<SeedsColumns> columns = seedsColumns(m_schema.fields, *parsed, m_options.unknownFields); !columns)
                return columns.error();
            return Ok {};
        }
        Result<QJsonObject> row = rowObject(*parsed);
        if (!row)
            return row.error();
        return Ok {};
    }
}
