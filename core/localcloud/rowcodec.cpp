#include "core/localcloud/rowcodec.h"

#include <cmath>
#include <cstring>

#include <simdjson.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include "core/bigquery/cellformat.h"
#include "core/bigquery/numeric.h"
#include "core/common/qtjsonwriter.h"
#include "core/common/timeutil.h"
#include "core/localcloud/compactjson.h"
#include "core/localcloud/jsonfields.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::FieldMode;
using Aq::BigQuery::FieldType;
using Aq::BigQuery::TableField;

namespace Aq::LocalCloud::RowCodec
{
    namespace
    {
        constexpr int MAX_DEPTH = 15;

        QString typeWord(FieldType type)
        {
            return BigQuery::standardTypeName(type).toLower();
        }

        QString path(const QString &parent, const QString &name)
        {
            return parent.isEmpty() ? name : parent + u'.' + name;
        }

        std::optional<qint64> toInt64(const QJsonValue &value)
        {
            if (value.isDouble()) {
                const double d = value.toDouble();
                if (d != std::floor(d) || std::fabs(d) > 9.2e18)
                    return std::nullopt;
                // integers beyond 2^53 arrive as strings from well-behaved clients
                return qint64(d);
            }
            if (value.isString()) {
                bool ok = false;
                const qint64 v = value.toString().trimmed().toLongLong(&ok);
                if (ok)
                    return v;
            }
            return std::nullopt;
        }

        std::optional<double> toDouble(const QJsonValue &value)
        {
            if (value.isDouble())
                return value.toDouble();
            if (value.isString()) {
                const QString s = value.toString().trimmed();
                if (s == u"NaN"_s)
                    return std::nan("");
                if (s == u"Infinity"_s || s == u"inf"_s || s == u"+inf"_s)
                    return std::numeric_limits<double>::infinity();
                if (s == u"-Infinity"_s || s == u"-inf"_s)
                    return -std::numeric_limits<double>::infinity();
                bool ok = false;
                const double d = s.toDouble(&ok);
                if (ok)
                    return d;
            }
            return std::nullopt;
        }

        std::optional<QString> toNumericText(const QJsonValue &value, bool big)
        {
            if (value.isDouble() && std::isfinite(value.toDouble()))
                return BigQuery::normalizeNumeric(formatDouble(value.toDouble()), big);
            if (value.isString())
                return BigQuery::normalizeNumeric(value.toString(), big);
            return std::nullopt;
        }

        // The templates name the field %1, the value %2 and the type %3; any of them may be absent.
        QString describe(QString message, const QString &field, const QJsonValue &value, FieldType type)
        {
            return message.replace(u"%1"_s, field).replace(u"%2"_s, value.toVariant().toString().left(100)).replace(u"%3"_s, typeWord(type));
        }

        std::optional<bool> toBool(const QJsonValue &value)
        {
            if (value.isBool())
                return value.toBool();
            if (value.isString()) {
                const QString s = value.toString().trimmed().toLower();
                if (s == u"true"_s || s == u"1"_s)
                    return true;
                if (s == u"false"_s || s == u"0"_s)
                    return false;
            }
            if (value.isDouble() && (value.toDouble() == 0 || value.toDouble() == 1))
                return value.toDouble() == 1;
            return std::nullopt;
        }

        // A non-repeated, non-record scalar: to the storage value, or to its cell string when nested.
        std::optional<SqlValue> encodeScalar(const TableField &field, const QJsonValue &value, bool nested, QString *problem)
        {
            switch (field.type) {
            case FieldType::String:
            case FieldType::Geography:
                if (value.isString())
                    return SqlValue(value.toString());
                if (value.isDouble())
                    return SqlValue(formatDouble(value.toDouble()));
                if (value.isBool())
                    return SqlValue(value.toBool() ? u"true"_s : u"false"_s);
                break;
            case FieldType::Int64:
                if (std::optional<qint64> v = toInt64(value))
                    return nested ? SqlValue(QString::number(*v)) : SqlValue(*v);
                break;
            case FieldType::Float64:
                if (std::optional<double> v = toDouble(value))
                    return nested ? SqlValue(formatDouble(*v)) : SqlValue(*v);
                break;
            case FieldType::Numeric:
            case FieldType::BigNumeric:
                if (std::optional<QString> v = toNumericText(value, field.type == FieldType::BigNumeric))
                    return SqlValue(*v);
                *problem = field.type == FieldType::Numeric
                    ? u"Invalid NUMERIC value '%2' for field %1: at most 29 digits before the point and 9 after it."_s
                    : u"Invalid BIGNUMERIC value '%2' for field %1: at most 38 digits before the point and 38 after it."_s;
                return std::nullopt;
            case FieldType::Bool:
                if (std::optional<bool> v = toBool(value))
                    return nested ? SqlValue(*v ? u"true"_s : u"false"_s) : SqlValue(qint64(*v));
                break;
            case FieldType::Bytes:
                if (value.isString()) {
                    if (std::optional<QByteArray> bytes = JsonFields::decodeBase64(value.toString()))
                        return nested ? SqlValue(QString::fromLatin1(bytes->toBase64())) : SqlValue(*bytes);
                    *problem = u"Could not decode base64 bytes for field %1."_s;
                    return std::nullopt;
                }
                break;
            case FieldType::Timestamp:
                if (std::optional<qint64> micros = Time::parseTimestamp(value))
                    return nested ? SqlValue(QString::number(*micros)) : SqlValue(*micros);
                *problem = u"Could not parse '%2' as a timestamp for field %1. Required format is YYYY-MM-DD HH:MM[:SS[.SSSSSS]] or RFC 3339."_s;
                return std::nullopt;
            case FieldType::Date:
                if (value.isString()) {
                    if (std::optional<QString> v = Time::normalizeDate(value.toString()))
                        return SqlValue(*v);
                }
                *problem = u"Could not parse '%2' as a date for field %1. Required format is YYYY-MM-DD."_s;
                return std::nullopt;
            case FieldType::Time:
                if (value.isString()) {
                    if (std::optional<QString> v = Time::normalizeTime(value.toString()))
                        return SqlValue(*v);
                }
                *problem = u"Could not parse '%2' as a time for field %1. Required format is HH:MM:SS[.SSSSSS]."_s;
                return std::nullopt;
            case FieldType::Datetime:
                if (value.isString()) {
                    if (std::optional<QString> v = Time::normalizeDatetime(value.toString()))
                        return SqlValue(*v);
                }
                *problem = u"Could not parse '%2' as a datetime for field %1. Required format is YYYY-MM-DD[T| ]HH:MM:SS[.SSSSSS]."_s;
                return std::nullopt;
            case FieldType::Json:
                if (value.isString()) {
                    // the Node client sends JSON columns as serialized text
                    QJsonParseError error;
                    const QByteArray text = value.toString().toUtf8();
                    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]", &error);
                    if (error.error != QJsonParseError::NoError || document.array().size() != 1) {
                        *problem = u"Field %1 is JSON but its value is not valid JSON text."_s;
                        return std::nullopt;
                    }
                    const QByteArray compact = QJsonDocument(document.array()).toJson(QJsonDocument::Compact);
                    return SqlValue(QString::fromUtf8(compact.mid(1, compact.size() - 2)));
                }
                if (value.isObject())
                    return SqlValue(QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
                if (value.isArray())
                    return SqlValue(QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
                if (value.isDouble())
                    return SqlValue(formatDouble(value.toDouble()));
                if (value.isBool())
                    return SqlValue(value.toBool() ? u"true"_s : u"false"_s);
                break;
            case FieldType::Record:
                break;
            }
            *problem = u"Cannot convert value '%2' to %3 for field %1."_s;
            return std::nullopt;
        }

        QJsonValue sqlToJson(const SqlValue &value)
        {
            switch (value.index()) {
            case 1: return QString::number(std::get<qint64>(value));
            case 2: return formatDouble(std::get<double>(value));
            case 3: return std::get<QString>(value);
            case 4: return QString::fromLatin1(std::get<QByteArray>(value).toBase64());
            default: return QJsonValue::Null;
            }
        }

        QJsonValue encodeNested(const TableField &field, const QJsonValue &value, const QString &where, int depth, QList<CellError> &errors);

        QJsonValue encodeRecord(const TableField &field, const QJsonValue &value, const QString &where, int depth, QList<CellError> &errors)
        {
            if (!value.isObject()) {
                errors.append({where, u"This field: %1 is not a record."_s.arg(where)});
                return QJsonValue::Null;
            }
            if (depth > MAX_DEPTH) {
                errors.append({where, u"Field %1 is nested too deeply."_s.arg(where)});
                return QJsonValue::Null;
            }
            const QJsonObject object = value.toObject();
            QJsonObject out;
            for (const TableField &sub : field.fields) {
                QJsonValue v = object.value(sub.name);
                if (v.isUndefined()) {
                    for (auto it = object.begin(); it != object.end(); ++it) {
                        if (it.key().compare(sub.name, Qt::CaseInsensitive) == 0)
                            v = it.value();
                    }
                }
                out.insert(sub.name, encodeNested(sub, v, path(where, sub.name), depth + 1, errors));
            }
            for (auto it = object.begin(); it != object.end(); ++it) {
                bool known = false;
                for (const TableField &sub : field.fields)
                    known = known || sub.name.compare(it.key(), Qt::CaseInsensitive) == 0;
                if (!known)
                    errors.append({path(where, it.key()), u"no such field: %1."_s.arg(path(where, it.key()))});
            }
            return out;
        }

        QJsonValue encodeOne(const TableField &field, const QJsonValue &value, const QString &where, int depth, QList<CellError> &errors)
        {
            if (field.type == FieldType::Record)
                return encodeRecord(field, value, where, depth, errors);
            QString problem;
            std::optional<SqlValue> v = encodeScalar(field, value, true, &problem);
            if (!v) {
                errors.append({where, describe(problem, where, value, field.type)});
                return QJsonValue::Null;
            }
            return sqlToJson(*v);
        }

        QJsonValue encodeNested(const TableField &field, const QJsonValue &value, const QString &where, int depth, QList<CellError> &errors)
        {
            if (field.isRepeated()) {
                if (value.isUndefined() || value.isNull())
                    return QJsonArray();
                if (!value.isArray()) {
                    errors.append({where, u"Field %1 is REPEATED: its value must be an array."_s.arg(where)});
                    return QJsonValue::Null;
                }
                QJsonArray out;
                for (const QJsonValue &element : value.toArray()) {
                    if (element.isNull()) {
                        errors.append({where, u"Field %1: an array must not contain null."_s.arg(where)});
                        continue;
                    }
                    out.append(encodeOne(field, element, where, depth, errors));
                }
                return out;
            }
            if (value.isUndefined() || value.isNull()) {
                if (field.isRequired())
                    errors.append({where, u"Missing required field: %1."_s.arg(where)});
                return QJsonValue::Null;
            }
            if (value.isArray()) {
                errors.append({where, u"Array specified for non-repeated field: %1."_s.arg(where)});
                return QJsonValue::Null;
            }
            return encodeOne(field, value, where, depth, errors);
        }

        QByteArray compactJson(const QJsonValue &value)
        {
            const QByteArray text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
            return text.mid(1, text.size() - 2);
        }

        void writeTimestamp(JsonWriter &writer, qint64 micros, TimestampFormat format)
        {
            switch (format) {
            case TimestampFormat::Int64Micros:
                writer.raw("\"");
                writer.number(micros);
                writer.raw("\"");
                return;
            case TimestampFormat::Iso8601:
                writer.string(Time::formatRfc3339Fixed(micros, 6));
                return;
            case TimestampFormat::FloatSeconds:
                writer.string(formatTimestampSeconds(micros));
                return;
            }
        }

        void writeNestedValue(JsonWriter &writer, const TableField &field, const QJsonValue &value, TimestampFormat format, int depth);

        void writeNestedScalarOrRecord(JsonWriter &writer, const TableField &field, const QJsonValue &value, TimestampFormat format, int depth)
        {
            if (value.isNull() || value.isUndefined()) {
                writer.null();
                return;
            }
            if (field.type == FieldType::Record) {
                const QJsonObject object = value.toObject();
                writer.raw("{\"f\":[");
                for (qsizetype i = 0; i < field.fields.size(); ++i) {
                    if (i)
                        writer.raw(",");
                    writer.raw("{\"v\":");
                    writeNestedValue(writer, field.fields[i], object.value(field.fields[i].name), format, depth + 1);
                    writer.raw("}");
                }
                writer.raw("]}");
                return;
            }
            if (field.type == FieldType::Timestamp) {
                writeTimestamp(writer, value.toString().toLongLong(), format);
                return;
            }
            writer.string(value.toString());
        }

        void writeNestedValue(JsonWriter &writer, const TableField &field, const QJsonValue &value, TimestampFormat format, int depth)
        {
            if (field.isRepeated()) {
                writer.raw("[");
                const QJsonArray array = value.toArray();
                for (qsizetype i = 0; i < array.size(); ++i) {
                    if (i)
                        writer.raw(",");
                    writer.raw("{\"v\":");
                    writeNestedScalarOrRecord(writer, field, array[i], format, depth);
                    writer.raw("}");
                }
                writer.raw("]");
                return;
            }
            writeNestedScalarOrRecord(writer, field, value, format, depth);
        }
    }

    namespace
    {
        // One top-level field of a row, in the storage encoding (nullopt: NULL); problems go to `errors`.
        std::optional<SqlValue> encodeField(const TableField &field, const QJsonValue &value, QList<CellError> &errors)
        {
            if (field.isRepeated() || field.type == FieldType::Record) {
                const QJsonValue nested = encodeNested(field, value, field.name, 0, errors);
                if (nested.isNull())
                    return std::nullopt;
                return SqlValue(QString::fromUtf8(compactJson(nested)));
            }
            if (value.isNull()) {
                if (field.isRequired())
                    errors.append({field.name, u"Missing required field: %1."_s.arg(field.name)});
                return std::nullopt;
            }
            if (value.isArray()) {
                errors.append({field.name, u"Array specified for non-repeated field: %1."_s.arg(field.name)});
                return std::nullopt;
            }
            QString problem;
            std::optional<SqlValue> v = encodeScalar(field, value, false, &problem);
            if (!v)
                errors.append({field.name, describe(problem, field.name, value, field.type)});
            return v;
        }

        void finishRow(const BigQuery::TableSchema &schema, const std::vector<char> &seen, CellBatch &cells, qsizetype row, QList<CellError> &errors)
        {
            for (qsizetype i = 0; i < schema.fields.size(); ++i) {
                if (seen[size_t(i)])
                    continue;
                const TableField &field = schema.fields[i];
                if (field.isRepeated())
                    cells.setText(row, i, "[]");
                else if (field.isRequired())
                    errors.append({field.name, u"Missing required field: %1."_s.arg(field.name)});
            }
        }

        // simdjson's view of a value as a QJsonValue: the slow path, for everything the fast one leaves.
        QJsonValue toQJsonValue(simdjson::dom::element element)
        {
            const std::string text = simdjson::minify(element);
            const QJsonDocument document = QJsonDocument::fromJson("[" + QByteArray::fromRawData(text.data(), qsizetype(text.size())) + "]");
            return document.array().at(0);
        }

        // The common cases, straight from simdjson into the cell: no QJsonValue, no QString, no regular expression.
        bool encodeFast(const TableField &field, simdjson::dom::element element, CellBatch &cells, qsizetype row, qsizetype column)
        {
            if (field.isRepeated() || field.type == FieldType::Record)
                return false;
            using simdjson::dom::element_type;
            const element_type type = element.type();
            switch (field.type) {
            case FieldType::String:
                if (type != element_type::STRING)
                    return false;
                cells.setText(row, column, element.get_string().value_unsafe());   // simdjson checked the UTF-8
                return true;
            case FieldType::Int64:
                if (type == element_type::INT64) {
                    cells.setInteger(row, column, qint64(element.get_int64().value_unsafe()));
                    return true;
                }
                return false;
            case FieldType::Float64:
                if (type == element_type::DOUBLE || type == element_type::INT64) {
                    cells.setReal(row, column, element.get_double().value_unsafe());
                    return true;
                }
                return false;
            case FieldType::Bool:
                if (type != element_type::BOOL)
                    return false;
                cells.setInteger(row, column, element.get_bool().value_unsafe() ? 1 : 0);
                return true;
            case FieldType::Timestamp:
                if (type == element_type::STRING) {
                    const std::string_view text = element.get_string().value_unsafe();
                    const std::optional<qint64> micros = Time::parseTimestamp(QString::fromLatin1(text.data(), qsizetype(text.size())));
                    if (!micros)
                        return false;
                    cells.setInteger(row, column, *micros);
                    return true;
                }
                if (type == element_type::INT64 || type == element_type::DOUBLE) {
                    const double seconds = element.get_double().value_unsafe();
                    if (!std::isfinite(seconds) || std::fabs(seconds) >= 253402300800.0)
                        return false;
                    cells.setInteger(row, column, qint64(std::llround(seconds * 1e6)));
                    return true;
                }
                return false;
            case FieldType::Json:
                if (type == element_type::OBJECT || type == element_type::ARRAY) {
                    thread_local std::string text;
                    text.clear();
                    CompactJson::append(text, element);
                    cells.setText(row, column, text);
                    return true;
                }
                if (type == element_type::STRING) {
                    // JSON sent as its text (the Node client, our pipeline): stored as the slow path stores it,
                    // QJsonDocument's compact form, when that can be written exactly from simdjson's parse.
                    const std::string_view json = element.get_string().value_unsafe();
                    thread_local simdjson::dom::parser parser;   // not the row's: `element` lives in that one's document
                    simdjson::dom::element value;
                    if (parser.parse(json.data(), json.size()).get(value) != simdjson::SUCCESS)
                        return false;
                    thread_local QByteArray text;
                    text.clear();
                    if (!QtJson::append(text, value))
                        return false;
                    cells.setText(row, column, std::string_view(text.constData(), size_t(text.size())));
                    return true;
                }
                return false;
            default:
                return false;
            }
        }

        // The schema's top-level field names as UTF-8, looked up without a QString per JSON key. Rows usually
        // name their fields in schema order, so the field after the previous one is tried first.
        class FieldNames
        {
        public:
            explicit FieldNames(const BigQuery::TableSchema &schema)
                : m_schema {schema}
            {
                m_names.reserve(size_t(schema.fields.size()));
                for (const TableField &field : schema.fields)
                    m_names.push_back(field.name.toUtf8());
            }

            // Exact match first, then case-insensitive (BigQuery's field names are); -1 when there is none.
            qsizetype indexOf(std::string_view name, qsizetype hint) const
            {
                const qsizetype count = qsizetype(m_names.size());
                if (hint < count && matches(hint, name))
                    return hint;
                for (qsizetype i = 0; i < count; ++i) {
                    if (matches(i, name))
                        return i;
                }
                return m_schema.indexOf(QString::fromUtf8(name.data(), qsizetype(name.size())));
            }

        private:
            bool matches(qsizetype i, std::string_view name) const
            {
                const QByteArray &candidate = m_names[size_t(i)];
                return candidate.size() == qsizetype(name.size()) && std::memcmp(candidate.constData(), name.data(), name.size()) == 0;
            }

            const BigQuery::TableSchema &m_schema;
            std::vector<QByteArray> m_names;
        };
    }

    Result<DecodedInsert> decodeInsertAll(const BigQuery::TableSchema &schema, const QByteArray &body, int maxRows)
    {
        // insertAll is the hot path of ingestion: simdjson parses the body in place, and the usual cell
        // types go straight to storage cells; anything unusual takes the QJsonValue path above.
        thread_local simdjson::dom::parser parser;
        simdjson::dom::element document;
        if (const auto error = parser.parse(body.constData(), size_t(body.size())).get(document); error != simdjson::SUCCESS) {
            if (body.trimmed().isEmpty())
                return ApiError::invalidArgument(u"The request has no body; a JSON object is required."_s);
            return ApiError::invalidArgument(u"Invalid JSON payload received. %1."_s.arg(QString::fromLatin1(simdjson::error_message(error))), u"parseError"_s);
        }
        simdjson::dom::object request;
        if (document.get_object().get(request) != simdjson::SUCCESS)
            return ApiError::invalidArgument(u"Invalid JSON payload received. The body must be a JSON object."_s, u"parseError"_s);
        if (request["templateSuffix"].error() == simdjson::SUCCESS)
            return ApiError::invalidArgument(u"templateSuffix is not supported by the local cloud."_s);
        simdjson::dom::array rows;
        if (request["rows"].get_array().get(rows) != simdjson::SUCCESS || rows.size() == 0)
            return ApiError::invalidArgument(u"No rows present in the request."_s);
        if (rows.size() > size_t(maxRows))
            return ApiError::invalidArgument(u"too many rows present in the request, limit: %1 row count: %2."_s.arg(maxRows).arg(rows.size()));
        DecodedInsert decoded;
        bool flag = false;
        decoded.skipInvalidRows = request["skipInvalidRows"].get_bool().get(flag) == simdjson::SUCCESS && flag;
        flag = false;
        const bool ignoreUnknownValues = request["ignoreUnknownValues"].get_bool().get(flag) == simdjson::SUCCESS && flag;

        const qsizetype columns = schema.fields.size();
        const FieldNames names(schema);
        decoded.rows = CellBatch(columns, body.size());   // the cells' text is about as long as the body
        decoded.rows.reserveRows(qsizetype(rows.size()));
        decoded.insertIds = CellBatch(1, qsizetype(rows.size()) * 16);
        decoded.insertIds.reserveRows(qsizetype(rows.size()));
        decoded.errors.resize(qsizetype(rows.size()));
        std::vector<char> seen(size_t(columns), 0);
        QList<CellError> errors;
        for (simdjson::dom::element rowElement : rows) {
            const qsizetype r = decoded.rows.addRow();
            decoded.insertIds.addRow();
            simdjson::dom::object row;
            simdjson::dom::object json;
            std::string_view insertId;
            if (rowElement.get_object().get(row) == simdjson::SUCCESS)
            {
                const simdjson::error_code noInsertId = row["insertId"].get_string().get(insertId);
                Q_UNUSED(noInsertId);   // rows without an insertId are not de-duplicated
            }
            if (!insertId.empty())
                decoded.insertIds.setText(r, 0, insertId);
            if (row.size() == 0 || row["json"].get_object().get(json) != simdjson::SUCCESS) {
                decoded.errors[r].append({QString(), u"The row has no \"json\" object."_s});
                decoded.anyInvalid = true;
                continue;
            }
            std::fill(seen.begin(), seen.end(), 0);
            qsizetype next = 0;
            for (const auto field : json) {
                const qsizetype index = names.indexOf(field.key, next);
                if (index < 0) {
                    if (!ignoreUnknownValues) {
                        const QString name = QString::fromUtf8(field.key.data(), qsizetype(field.key.size()));
                        errors.append({name, u"no such field: %1."_s.arg(name)});
                    }
                    continue;
                }
                next = index + 1;
                seen[size_t(index)] = 1;
                if (!encodeFast(schema.fields[index], field.value, decoded.rows, r, index)) {
                    const std::optional<SqlValue> value = encodeField(schema.fields[index], toQJsonValue(field.value), errors);
                    decoded.rows.set(r, index, value.value_or(SqlValue()));
                }
            }
            finishRow(schema, seen, decoded.rows, r, errors);
            if (!errors.isEmpty()) {
                decoded.anyInvalid = true;
                decoded.errors[r] = std::exchange(errors, {});
            }
        }
        return decoded;
    }

    void writeCell(JsonWriter &writer, const TableField &field, const SqlValue &stored, TimestampFormat format)
    {
        writer.raw("{\"v\":");
        if (field.isRepeated() || field.type == FieldType::Record) {
            if (stored.index() == 3) {
                const QByteArray text = std::get<QString>(stored).toUtf8();
                const QJsonValue value = QJsonDocument::fromJson("[" + text + "]").array().at(0);
                writeNestedValue(writer, field, value, format, 0);
            } else {
                writer.raw(field.isRepeated() ? "[]" : "null");
            }
            writer.raw("}");
            return;
        }
        switch (stored.index()) {
        case 0:
            writer.null();
            break;
        case 1: {
            const qint64 v = std::get<qint64>(stored);
            switch (field.type) {
            case FieldType::Bool: writer.raw(v ? "\"true\"" : "\"false\""); break;
            case FieldType::Timestamp: writeTimestamp(writer, v, format); break;
            case FieldType::Float64:
            case FieldType::Numeric:
            case FieldType::BigNumeric:
            case FieldType::Int64:
                writer.raw("\"");
                writer.number(v);
                writer.raw("\"");
                break;
            default: writer.string(QString::number(v)); break;
            }
            break;
        }
        case 2: {
            const double v = std::get<double>(stored);
            if (field.type == FieldType::Timestamp)
                writeTimestamp(writer, qint64(v), format);
            else if (field.type == FieldType::Int64)
                writer.string(QString::number(qint64(v)));
            else if (field.type == FieldType::Bool)
                writer.raw(v != 0 ? "\"true\"" : "\"false\"");
            else
                writer.string(formatDouble(v));
            break;
        }
        case 3:
            writer.string(std::get<QString>(stored));
            break;
        case 4:
            writer.raw("\"");
            writer.base64(std::get<QByteArray>(stored));
            writer.raw("\"");
            break;
        }
        writer.raw("}");
    }

    QString formatDouble(double value)
    {
        return BigQuery::float64ToText(value);
    }

    QString formatTimestampSeconds(qint64 micros)
    {
        // Java's Double.toString, which BigQuery's default TIMESTAMP cells follow ("1.63966552385427E9").
        const double seconds = double(micros) / 1e6;
        const double magnitude = std::fabs(seconds);
        if (magnitude == 0)
            return u"0.0"_s;
        if (magnitude >= 1e-3 && magnitude < 1e7) {
            QString plain = QString::number(seconds, 'f', QLocale::FloatingPointShortest);
            if (!plain.contains(u'.'))
                plain += u".0"_s;
            return plain;
        }
        const QString sci = QString::number(seconds, 'e', QLocale::FloatingPointShortest);   // "1.63966552385427e+09"
        const qsizetype e = sci.indexOf(u'e');
        QString mantissa = sci.left(e);
        if (!mantissa.contains(u'.'))
            mantissa += u".0"_s;
        const int exponent = sci.mid(e + 1).toInt();
        return mantissa + u'E' + QString::number(exponent);
    }
}
