#include "core/bigquery/cellformat.h"

#include <cmath>

#include <QDate>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/bigquery/timestamp.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    namespace
    {
        Timestamp toTimestamp(const QVariant &value)
        {
            if (value.metaType() == QMetaType::fromType<Timestamp>())
                return value.value<Timestamp>();
            return Timestamp {value.toDateTime().toMSecsSinceEpoch() * 1000};
        }

        // A value of one field, not counting REPEATED.
        QJsonValue singleToJson(const TableField &field, const QVariant &value)
        {
            if (!value.isValid())
                return QJsonValue::Null;
            switch (field.type) {
            case FieldType::String:
            case FieldType::Geography:
            case FieldType::Numeric:
            case FieldType::BigNumeric:
            case FieldType::Time:
            case FieldType::Datetime:
                return value.toString();
            case FieldType::Bytes:
                return QString::fromLatin1(value.toByteArray().toBase64());
            case FieldType::Int64:
                return QString::number(value.toLongLong());
            case FieldType::Float64: {
                const double number = value.toDouble();
                return std::isfinite(number) ? QJsonValue(number) : QJsonValue(float64ToText(number));
            }
            case FieldType::Bool:
                return value.toBool();
            case FieldType::Timestamp:
                return toTimestamp(value).toDisplayText();
            case FieldType::Date:
                return value.toDate().toString(Qt::ISODate);
            case FieldType::Json:
                return value.toJsonValue();
            case FieldType::Record: {
                const QVariantList values = value.toList();
                QJsonObject object;
                for (qsizetype i = 0; i < field.fields.size(); ++i)
                    object.insert(field.fields[i].name, cellToJson(field.fields[i], values.value(i)));
                return object;
            }
            }
            return QJsonValue::Null;
        }

        QString compactJson(const QJsonValue &value)
        {
            const QByteArray text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
            return QString::fromUtf8(text.mid(1, text.size() - 2));   // without the array's brackets
        }

        // JSON text with RECORD members in schema order (a QJsonObject would sort them).
        QString orderedJsonText(const TableField &field, const QVariant &value, bool element)
        {
            if (!value.isValid())
                return u"null"_s;
            if (field.isRepeated() && !element) {
                QStringList parts;
                for (const QVariant &item : value.toList())
                    parts.append(orderedJsonText(field, item, true));
                return u'[' + parts.join(u',') + u']';
            }
            if (field.type != FieldType::Record)
                return compactJson(singleToJson(field, value));
            const QVariantList values = value.toList();
            QStringList parts;
            for (qsizetype i = 0; i < field.fields.size(); ++i)
                parts.append(u'"' + field.fields[i].name + u"\":"_s + orderedJsonText(field.fields[i], values.value(i), false));
            return u'{' + parts.join(u',') + u'}';
        }
    }

    QString float64ToText(double value)
    {
        if (std::isnan(value))
            return u"NaN"_s;
        if (std::isinf(value))
            return value > 0 ? u"Infinity"_s : u"-Infinity"_s;
        if (value == std::floor(value) && std::fabs(value) < 1e15)
            return QString::number(qint64(value));
        return QString::number(value, 'g', QLocale::FloatingPointShortest);
    }

    QString cellToText(const TableField &field, const QVariant &value)
    {
        if (!value.isValid())
            return u"NULL"_s;
        if (field.isRepeated() || field.type == FieldType::Record)
            return orderedJsonText(field, value, false);
        switch (field.type) {
        case FieldType::Int64:
            return QString::number(value.toLongLong());
        case FieldType::Float64:
            return float64ToText(value.toDouble());
        case FieldType::Bool:
            return value.toBool() ? u"true"_s : u"false"_s;
        case FieldType::Json:
            return compactJson(value.toJsonValue());
        default:
            return singleToJson(field, value).toString();
        }
    }

    QJsonValue cellToJson(const TableField &field, const QVariant &value)
    {
        if (!field.isRepeated() || !value.isValid())
            return singleToJson(field, value);
        QJsonArray array;
        for (const QVariant &item : value.toList())
            array.append(singleToJson(field, item));
        return array;
    }
}
