#include "core/bigquery/queryparameter.h"

#include <cmath>

#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

#include "core/bigquery/numeric.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    namespace
    {
        constexpr int MAX_NAME_LENGTH = 128;

        const QString SYNTAX_HINT = u"expected name:TYPE:value (an empty TYPE is STRING, as in name::value)"_s;

        std::optional<FieldType> parseParameterType(const QString &name)
        {
            const std::optional<FieldType> type = parseFieldType(name.toUpper());
            if (!type || *type == FieldType::Geography || *type == FieldType::Json || *type == FieldType::Record)
                return std::nullopt;
            return type;
        }

        // The value in the form sent to BigQuery, or nullopt with what is wrong in "why".
        std::optional<QString> canonicalValue(FieldType type, const QString &text, QString &why)
        {
            switch (type) {
            case FieldType::String:
                return text;
            case FieldType::Bytes: {
                const QByteArray latin1 = text.toLatin1();
                const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(latin1, QByteArray::AbortOnBase64DecodingErrors);
                if (QString::fromLatin1(latin1) != text || !decoded) {
                    why = u"is not base64 (BYTES values are given in base64)"_s;
                    return std::nullopt;
                }
                return QString::fromLatin1(decoded.decoded.toBase64());
            }
            case FieldType::Int64: {
                bool ok = false;
                const qint64 value = text.trimmed().toLongLong(&ok, 10);
                if (!ok) {
                    why = u"is not a whole number from -9223372036854775808 to 9223372036854775807"_s;
                    return std::nullopt;
                }
                return QString::number(value);
            }
            case FieldType::Float64: {
                const QString trimmed = text.trimmed();
                if (trimmed.compare(u"NaN"_s, Qt::CaseInsensitive) == 0)
                    return u"NaN"_s;
                if (trimmed.compare(u"Infinity"_s, Qt::CaseInsensitive) == 0 || trimmed.compare(u"inf"_s, Qt::CaseInsensitive) == 0)
                    return u"Infinity"_s;
                if (trimmed.compare(u"-Infinity"_s, Qt::CaseInsensitive) == 0 || trimmed.compare(u"-inf"_s, Qt::CaseInsensitive) == 0)
                    return u"-Infinity"_s;
                bool ok = false;
                const double value = trimmed.toDouble(&ok);
                if (!ok || !std::isfinite(value)) {
                    why = u"is not a floating-point number (or NaN, Infinity, -Infinity)"_s;
                    return std::nullopt;
                }
                return trimmed;
            }
            case FieldType::Numeric:
            case FieldType::BigNumeric: {
                const bool big = type == FieldType::BigNumeric;
                std::optional<QString> value = normalizeNumeric(text, big);
                if (!value)
                    why = big ? u"is not a BIGNUMERIC (a decimal, at most 38 digits before the point and 38 after)"_s
                              : u"is not a NUMERIC (a decimal, at most 29 digits before the point and 9 after)"_s;
                return value;
            }
            case FieldType::Bool:
                if (text.trimmed().compare(u"true"_s, Qt::CaseInsensitive) == 0)
                    return u"true"_s;
                if (text.trimmed().compare(u"false"_s, Qt::CaseInsensitive) == 0)
                    return u"false"_s;
                why = u"is not true or false"_s;
                return std::nullopt;
            case FieldType::Timestamp: {
                // a date first ("2024-05-01 12:00:00 UTC", RFC 3339, ...): Time::parseTimestamp also reads epoch
                // seconds, which BigQuery does not take for a TIMESTAMP parameter
                const QString trimmed = text.trimmed();
                const std::optional<qint64> micros = trimmed.size() >= 10 && trimmed[4] == u'-' ? Time::parseTimestamp(trimmed) : std::nullopt;
                if (!micros) {
                    why = u"is not a timestamp (e.g. 2024-05-01T12:00:00Z or '2024-05-01 12:00:00.5 UTC')"_s;
                    return std::nullopt;
                }
                return Time::formatRfc3339(*micros);
            }
            case FieldType::Date: {
                std::optional<QString> value = Time::normalizeDate(text);
                if (!value)
                    why = u"is not a date (YYYY-MM-DD)"_s;
                return value;
            }
            case FieldType::Time: {
                std::optional<QString> value = Time::normalizeTime(text);
                if (!value)
                    why = u"is not a time (HH:MM:SS[.ffffff])"_s;
                return value;
            }
            case FieldType::Datetime: {
                std::optional<QString> value = Time::normalizeDatetime(text);
                if (!value)
                    why = u"is not a datetime (YYYY-MM-DD[ HH:MM:SS[.ffffff]])"_s;
                return value;
            }
            case FieldType::Geography:
            case FieldType::Json:
            case FieldType::Record:
                break;
            }
            why = u"has a type query parameters cannot have"_s;
            return std::nullopt;
        }

        // One element of an ARRAY value's JSON array, as text for canonicalValue.
        std::optional<QString> elementText(FieldType type, const QJsonValue &element, QString &why)
        {
            switch (element.type()) {
            case QJsonValue::String:
                return element.toString();
            case QJsonValue::Double: {
                if (type == FieldType::String || type == FieldType::Bytes)
                    break;
                const double number = element.toDouble();
                if (type == FieldType::Int64) {
                    // Qt keeps a JSON integer that fits in 64 bits exactly; any other number is a double
                    const QVariant exact = element.toVariant();
                    if (exact.metaType() == QMetaType::fromType<qlonglong>())
                        return QString::number(exact.toLongLong());
                    if (number != std::floor(number) || std::fabs(number) > 9007199254740992.0) {
                        why = u"is not a whole number from -9223372036854775808 to 9223372036854775807"_s;
                        return std::nullopt;
                    }
                    return QString::number(qint64(number));
                }
                return QString::number(number, 'g', QLocale::FloatingPointShortest);
            }
            case QJsonValue::Bool:
                if (type == FieldType::Bool)
                    return element.toBool() ? u"true"_s : u"false"_s;
                break;
            case QJsonValue::Null:
                why = u"is NULL, and BigQuery arrays cannot hold NULL"_s;
                return std::nullopt;
            default:
                break;
            }
            why = u"is not a %1 value"_s.arg(standardTypeName(type));
            return std::nullopt;
        }

        QJsonObject typeJson(FieldType type)
        {
            return QJsonObject {{u"type"_s, standardTypeName(type)}};
        }
    }

    QueryParameter QueryParameter::scalar(const QString &name, FieldType type, const QString &value)
    {
        QueryParameter p;
        p.name = name;
        p.type = type;
        p.value = value;
        return p;
    }

    Result<QueryParameter> QueryParameter::parse(const QString &spec)
    {
        const qsizetype firstColon = spec.indexOf(u':');
        const qsizetype secondColon = firstColon < 0 ? -1 : spec.indexOf(u':', firstColon + 1);
        if (secondColon < 0)
            return ApiError::invalidArgument(u"Query parameter \"%1\": %2."_s.arg(spec, SYNTAX_HINT));
        QueryParameter parameter;
        parameter.name = spec.left(firstColon);
        const QString typeText = spec.mid(firstColon + 1, secondColon - firstColon - 1).trimmed();
        const QString valueText = spec.mid(secondColon + 1);
        if (parameter.name.isEmpty())
            return ApiError::invalidArgument(
                u"Query parameter \"%1\" has no name: positional parameters (:TYPE:value) are not supported; name it and write @name in the query."_s
                    .arg(spec));
        static const QRegularExpression namePattern(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
        if (parameter.name.size() > MAX_NAME_LENGTH || !namePattern.match(parameter.name).hasMatch())
            return ApiError::invalidArgument(
                u"Query parameter name \"%1\" is not valid: use letters, digits and underscores, starting with a letter or underscore (at most %2)."_s
                    .arg(parameter.name)
                    .arg(MAX_NAME_LENGTH));

        QString elementTypeText = typeText.isEmpty() ? u"STRING"_s : typeText;
        static const QRegularExpression arrayPattern(u"^ARRAY\\s*<\\s*(\\w+)\\s*>$"_s, QRegularExpression::CaseInsensitiveOption);
        if (const QRegularExpressionMatch array = arrayPattern.match(elementTypeText); array.hasMatch()) {
            parameter.isArray = true;
            elementTypeText = array.captured(1);
        }
        const std::optional<FieldType> type = parseParameterType(elementTypeText);
        if (!type)
            return ApiError::invalidArgument(
                u"Query parameter %1 has an unknown type \"%2\": use STRING, BYTES, INT64, FLOAT64, NUMERIC, BIGNUMERIC, BOOL, TIMESTAMP, DATE, DATETIME, TIME, or ARRAY<one of those>."_s
                    .arg(parameter.name, typeText));
        parameter.type = *type;

        const QString label = u"Query parameter %1 (%2): "_s.arg(parameter.name, parameter.typeName());
        if (valueText == u"NULL"_s) {
            parameter.isNull = true;
            return parameter;
        }
        QString why;
        if (!parameter.isArray) {
            const std::optional<QString> value = canonicalValue(parameter.type, valueText, why);
            if (!value)
                return ApiError::invalidArgument(label + u"'%1' %2."_s.arg(valueText, why));
            parameter.value = *value;
            return parameter;
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(valueText.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !document.isArray())
            return ApiError::invalidArgument(label + u"the value must be a JSON array, e.g. '[1,2,3]' or '[\"a\",\"b\"]'."_s);
        const QJsonArray elements = document.array();
        for (qsizetype i = 0; i < elements.size(); ++i) {
            std::optional<QString> value = elementText(parameter.type, elements[i], why);
            if (value)
                value = canonicalValue(parameter.type, *value, why);
            if (!value) {
                const QString shown = QString::fromUtf8(QJsonDocument(QJsonArray {elements[i]}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
                return ApiError::invalidArgument(label + u"element %1, %2, %3."_s.arg(i).arg(shown, why));
            }
            parameter.arrayValues.append(*value);
        }
        return parameter;
    }

    QString QueryParameter::typeName() const
    {
        const QString element = standardTypeName(type);
        return isArray ? u"ARRAY<"_s + element + u'>' : element;
    }

    QJsonObject QueryParameter::toJson() const
    {
        QJsonObject parameterType = typeJson(type);
        QJsonObject parameterValue;
        if (isArray) {
            parameterType = QJsonObject {{u"type"_s, u"ARRAY"_s}, {u"arrayType"_s, typeJson(type)}};
            if (isNull) {
                parameterValue.insert(u"arrayValues"_s, QJsonValue::Null);
            } else if (arrayValues.isEmpty()) {
                // BigQuery reads an empty arrayValues as NULL; bq sends {"value":{}} for an empty array instead
                parameterValue.insert(u"value"_s, QJsonObject());
            } else {
                QJsonArray values;
                for (const QString &value : arrayValues)
                    values.append(QJsonObject {{u"value"_s, value}});
                parameterValue.insert(u"arrayValues"_s, values);
            }
        } else {
            parameterValue.insert(u"value"_s, isNull ? QJsonValue(QJsonValue::Null) : QJsonValue(value));
        }
        return QJsonObject {{u"name"_s, name}, {u"parameterType"_s, parameterType}, {u"parameterValue"_s, parameterValue}};
    }

    Result<QList<QueryParameter>> parseQueryParameters(const QStringList &specs)
    {
        QList<QueryParameter> parameters;
        QSet<QString> seen;
        for (const QString &spec : specs) {
            Result<QueryParameter> parameter = QueryParameter::parse(spec);
            if (!parameter)
                return parameter.error();
            if (seen.contains(parameter->name.toLower()))
                return ApiError::invalidArgument(u"Query parameter %1 is given twice (names are case-insensitive)."_s.arg(parameter->name));
            seen.insert(parameter->name.toLower());
            parameters.append(std::move(parameter.value()));
        }
        return parameters;
    }

    QJsonArray queryParametersToJson(const QList<QueryParameter> &parameters)
    {
        QJsonArray array;
        for (const QueryParameter &parameter : parameters)
            array.append(parameter.toJson());
        return array;
    }
}
