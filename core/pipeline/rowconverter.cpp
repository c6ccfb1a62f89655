#include "core/pipeline/rowconverter.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>

#include "core/bigquery/numeric.h"
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

        QString describe(const QJsonValue &value)
        {
            if (value.isString())
                return u"\"%1\""_s.arg(value.toString().left(80));
            if (value.isObject())
                return u"an object"_s;
            if (value.isArray())
                return u"an array"_s;
            return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
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
                const QByteArray text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
                return QJsonValue(QString::fromUtf8(text.mid(1, text.size() - 2)));
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
            QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
            const QString text = decoder.decode(data);
            if (decoder.hasError())
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
        if (!m_defaultSchema) {
            // A user schema: columns by name; the metadata columns are the pipeline's to fill.
            QList<TableField> fromMessage;
            for (const TableField &f : m_schema.fields) {
                if (!metadataColumns().contains(f.name) || message.contains(f.name))
                    fromMessage.append(f);
            }
            return convertRecord(fromMessage, message, {}, m_options.unknownFields);
        }

        // The seeds' event shape.
        const QJsonObject eventData = message.value(u"event_data"_s).toObject();
        const auto topOrData = [&](const QString &name) {
            const QJsonValue top = message.value(name);
            return top.isUndefined() || top.isNull() ? eventData.value(name) : top;
        };
        if (m_options.unknownFields == UnknownFields::Reject) {
            static const QStringList known {u"event_id"_s, u"id"_s, u"event_type"_s, u"user_id"_s, u"timestamp"_s, u"event_data"_s};
            for (auto it = message.begin(); it != message.end(); ++it) {
                if (!known.contains(it.key()))
                    return invalid(it.key(), u"the table has no such column"_s);
            }
        }
        QJsonObject mapped;
        const QJsonValue id = message.contains(u"event_id"_s) ? message.value(u"event_id"_s) : message.value(u"id"_s);
        if (id.isUndefined() || id.isNull())
            return invalid(u"event_id"_s, u"is required and missing (the event needs event_id or id)"_s);
        mapped.insert(u"event_id"_s, id);
        mapped.insert(u"event_type"_s, topOrData(u"event_type"_s));
        mapped.insert(u"user_id"_s, topOrData(u"user_id"_s));
        mapped.insert(u"timestamp"_s, message.value(u"timestamp"_s));
        const QJsonValue data = message.value(u"event_data"_s);
        mapped.insert(u"event_data"_s, data.isUndefined() || data.isNull() ? QJsonValue(message) : data);
        QList<TableField> fields = m_schema.fields.mid(0, 5);
        return convertRecord(fields, mapped, {}, UnknownFields::Ignore);
    }

    Result<ConvertedRow> RowConverter::convert(const PubSub::PubsubMessage &message, const QString &topic, qint64 ingestTimeMicros) const
    {
        Result<QJsonObject> parsed = parseMessage(message.data);
        if (!parsed)
            return parsed.error();
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
        Result<QJsonObject> row = rowObject(*parsed);
        if (!row)
            return row.error();
        return Ok {};
    }
}
