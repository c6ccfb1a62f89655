#pragma once

#include <optional>

#include <QJsonArray>
#include <QList>
#include <QString>

#include "core/common/result.h"

namespace Aq::BigQuery
{
    enum class FieldType
    {
        String,
        Bytes,
        Int64,
        Float64,
        Numeric,
        BigNumeric,
        Bool,
        Timestamp,
        Date,
        Time,
        Datetime,
        Geography,
        Json,
        Record,
    };

    enum class FieldMode
    {
        Nullable,
        Required,
        Repeated,
    };

    // Accepts every spelling BigQuery accepts (INT64/INTEGER, FLOAT64/FLOAT, BOOL/BOOLEAN, RECORD/STRUCT, ...).
    std::optional<FieldType> parseFieldType(const QString &name);
    // The legacy names BigQuery answers with: INTEGER, FLOAT, BOOLEAN, RECORD.
    QString legacyTypeName(FieldType type);
    // GoogleSQL names: INT64, FLOAT64, BOOL, STRUCT.
    QString standardTypeName(FieldType type);
    std::optional<FieldMode> parseFieldMode(const QString &name);
    QString modeName(FieldMode mode);

    struct TableField
    {
        QString name;
        FieldType type = FieldType::String;
        FieldMode mode = FieldMode::Nullable;
        QString description;
        QList<TableField> fields;   // sub-fields of a RECORD

        bool isRepeated() const { return mode == FieldMode::Repeated; }
        bool isRequired() const { return mode == FieldMode::Required; }
        bool operator==(const TableField &other) const;
    };

    struct TableSchema
    {
        QList<TableField> fields;

        // {"fields":[...]} or the bare array; validates names (letters, digits, _; case-insensitively unique),
        // types, modes and RECORD sub-fields.
        static Result<TableSchema> fromJson(const QJsonValue &json);
        QJsonObject toJson() const;          // {"fields":[...]} with legacy type names
        static QJsonArray fieldsToJson(const QList<TableField> &fields);

        // Case-insensitive lookup of a top-level field; -1 when absent.
        int indexOf(const QString &name) const;
        const TableField *field(const QString &name) const;
        bool isEmpty() const { return fields.isEmpty(); }
        bool operator==(const TableSchema &other) const { return fields == other.fields; }
    };

    // A schema JSON file as `bq show --schema` writes it (the bare array) or {"fields":[...]}; errors name the file.
    Result<TableSchema> readSchemaFile(const QString &path);
}
