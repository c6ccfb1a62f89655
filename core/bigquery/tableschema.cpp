#include "core/bigquery/tableschema.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    namespace
    {
        constexpr int MAX_FIELD_NAME_LENGTH = 300;
        constexpr int MAX_NESTING_DEPTH = 15;

        Result<QList<TableField>> parseFields(const QJsonArray &array, const QString &path, int depth)
        {
            if (depth > MAX_NESTING_DEPTH)
                return ApiError::invalidArgument(u"Field %1 is nested more than %2 levels deep."_s.arg(path).arg(MAX_NESTING_DEPTH));
            static const QRegularExpression namePattern(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
            QList<TableField> fields;
            QSet<QString> seen;
            for (const QJsonValue &value : array) {
                if (!value.isObject())
                    return ApiError::invalidArgument(u"Each schema field must be an object with name and type."_s);
                const QJsonObject object = value.toObject();
                TableField field;
                field.name = object.value(u"name"_s).toString();
                const QString fieldPath = path.isEmpty() ? field.name : path + u'.' + field.name;
                if (field.name.isEmpty())
                    return ApiError::invalidArgument(u"A schema field has no name."_s);
                if (field.name.size() > MAX_FIELD_NAME_LENGTH || !namePattern.match(field.name).hasMatch())
                    return ApiError::invalidArgument(
                        u"Invalid field name \"%1\". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long."_s
                            .arg(field.name));
                if (field.name.startsWith(u"_aq_"_s, Qt::CaseInsensitive))
                    return ApiError::invalidArgument(u"Invalid field name \"%1\": the prefix _aq_ is reserved."_s.arg(field.name));
                if (seen.contains(field.name.toLower()))
                    return ApiError::invalidArgument(u"Field %1 already exists in schema"_s.arg(fieldPath));
                seen.insert(field.name.toLower());
                const QString typeName = object.value(u"type"_s).toString();
                const std::optional<FieldType> type = parseFieldType(typeName);
                if (!type)
                    return ApiError::invalidArgument(u"Invalid value for type: %1 is not a valid value (field %2)"_s.arg(typeName, fieldPath));
                field.type = *type;
                const QJsonValue modeValue = object.value(u"mode"_s);
                if (!modeValue.isUndefined() && !modeValue.isNull()) {
                    const std::optional<FieldMode> mode = parseFieldMode(modeValue.toString());
                    if (!mode)
                        return ApiError::invalidArgument(u"Invalid value for mode: %1 is not a valid value (field %2)"_s.arg(modeValue.toString(), fieldPath));
                    field.mode = *mode;
                }
                field.description = object.value(u"description"_s).toString();
                if (field.description.size() > 1024)
                    return ApiError::invalidArgument(u"The description of field %1 is longer than 1024 characters."_s.arg(fieldPath));
                const QJsonArray subFields = object.value(u"fields"_s).toArray();
                if (field.type == FieldType::Record) {
                    if (subFields.isEmpty())
                        return ApiError::invalidArgument(u"Field %1 is type RECORD but has no schema."_s.arg(fieldPath));
                    Result<QList<TableField>> sub = parseFields(subFields, fieldPath, depth + 1);
                    if (!sub)
                        return sub.error();
                    field.fields = std::move(sub).value();
                } else if (!subFields.isEmpty()) {
                    return ApiError::invalidArgument(u"Field %1 has sub-fields but is not a RECORD."_s.arg(fieldPath));
                }
                fields.append(std::move(field));
            }
            return fields;
        }
    }

    std::optional<FieldType> parseFieldType(const QString &name)
    {
        static const QHash<QString, FieldType> types {
            {u"STRING"_s, FieldType::String},     {u"BYTES"_s, FieldType::Bytes},
            {u"INTEGER"_s, FieldType::Int64},     {u"INT64"_s, FieldType::Int64},
            {u"FLOAT"_s, FieldType::Float64},     {u"FLOAT64"_s, FieldType::Float64},
            {u"NUMERIC"_s, FieldType::Numeric},   {u"DECIMAL"_s, FieldType::Numeric},
            {u"BIGNUMERIC"_s, FieldType::BigNumeric}, {u"BIGDECIMAL"_s, FieldType::BigNumeric},
            {u"BOOLEAN"_s, FieldType::Bool},      {u"BOOL"_s, FieldType::Bool},
            {u"TIMESTAMP"_s, FieldType::Timestamp}, {u"DATE"_s, FieldType::Date},
            {u"TIME"_s, FieldType::Time},         {u"DATETIME"_s, FieldType::Datetime},
            {u"GEOGRAPHY"_s, FieldType::Geography}, {u"JSON"_s, FieldType::Json},
            {u"RECORD"_s, FieldType::Record},     {u"STRUCT"_s, FieldType::Record},
        };
        const auto it = types.constFind(name.trimmed().toUpper());
        if (it == types.cend())
            return std::nullopt;
        return *it;
    }

    QString legacyTypeName(FieldType type)
    {
        switch (type) {
        case FieldType::String: return u"STRING"_s;
        case FieldType::Bytes: return u"BYTES"_s;
        case FieldType::Int64: return u"INTEGER"_s;
        case FieldType::Float64: return u"FLOAT"_s;
        case FieldType::Numeric: return u"NUMERIC"_s;
        case FieldType::BigNumeric: return u"BIGNUMERIC"_s;
        case FieldType::Bool: return u"BOOLEAN"_s;
        case FieldType::Timestamp: return u"TIMESTAMP"_s;
        case FieldType::Date: return u"DATE"_s;
        case FieldType::Time: return u"TIME"_s;
        case FieldType::Datetime: return u"DATETIME"_s;
        case FieldType::Geography: return u"GEOGRAPHY"_s;
        case FieldType::Json: return u"JSON"_s;
        case FieldType::Record: return u"RECORD"_s;
        }
        return u"STRING"_s;
    }

    QString standardTypeName(FieldType type)
    {
        switch (type) {
        case FieldType::Int64: return u"INT64"_s;
        case FieldType::Float64: return u"FLOAT64"_s;
        case FieldType::Bool: return u"BOOL"_s;
        case FieldType::Record: return u"STRUCT"_s;
        default: return legacyTypeName(type);
        }
    }

    std::optional<FieldMode> parseFieldMode(const QString &name)
    {
        const QString upper = name.trimmed().toUpper();
        if (upper.isEmpty() || upper == u"NULLABLE"_s)
            return FieldMode::Nullable;
        if (upper == u"REQUIRED"_s)
            return FieldMode::Required;
        if (upper == u"REPEATED"_s)
            return FieldMode::Repeated;
        return std::nullopt;
    }

    QString modeName(FieldMode mode)
    {
        switch (mode) {
        case FieldMode::Nullable: return u"NULLABLE"_s;
        case FieldMode::Required: return u"REQUIRED"_s;
        case FieldMode::Repeated: return u"REPEATED"_s;
        }
        return u"NULLABLE"_s;
    }

    Result<TableSchema> TableSchema::fromJson(const QJsonValue &json)
    {
        QJsonArray array;
        if (json.isArray())
            array = json.toArray();
        else if (json.isObject())
            array = json.toObject().value(u"fields"_s).toArray();
        else
            return ApiError::invalidArgument(u"A schema must be {\"fields\":[...]} or an array of fields."_s);
        Result<QList<TableField>> fields = parseFields(array, QString(), 0);
        if (!fields)
            return fields.error();
        TableSchema schema;
        schema.fields = std::move(fields).value();
        return schema;
    }

    QJsonArray TableSchema::fieldsToJson(const QList<TableField> &fields)
    {
        QJsonArray array;
        for (const TableField &field : fields) {
            QJsonObject object {
                {u"name"_s, field.name},
                {u"type"_s, legacyTypeName(field.type)},
                {u"mode"_s, modeName(field.mode)},
            };
            if (!field.description.isEmpty())
                object.insert(u"description"_s, field.description);
            if (!field.fields.isEmpty())
                object.insert(u"fields"_s, fieldsToJson(field.fields));
            array.append(object);
        }
        return array;
    }

    QJsonObject TableSchema::toJson() const
    {
        return QJsonObject {{u"fields"_s, fieldsToJson(fields)}};
    }

    bool TableField::operator==(const TableField &other) const
    {
        return name == other.name && type == other.type && mode == other.mode && description == other.description
            && fields == other.fields;
    }

    int TableSchema::indexOf(const QString &name) const
    {
        for (int i = 0; i < fields.size(); ++i) {
            if (fields[i].name.compare(name, Qt::CaseInsensitive) == 0)
                return i;
        }
        return -1;
    }

    const TableField *TableSchema::field(const QString &name) const
    {
        const int i = indexOf(name);
        return i < 0 ? nullptr : &fields[i];
    }

    Result<TableSchema> readSchemaFile(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ApiError::invalidArgument(u"cannot read the schema file %1: %2"_s.arg(path, file.errorString()));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
        if (error.error != QJsonParseError::NoError)
            return ApiError::invalidArgument(u"the schema file %1 is not JSON: %2 at offset %3"_s.arg(path, error.errorString()).arg(error.offset));
        const QJsonValue value = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
        Result<TableSchema> schema = TableSchema::fromJson(value);
        if (!schema)
            return ApiError::invalidArgument(u"the schema file %1: %2"_s.arg(path, schema.error().message));
        if (schema->isEmpty())
            return ApiError::invalidArgument(u"the schema file %1 has no fields"_s.arg(path));
        return schema;
    }
}
