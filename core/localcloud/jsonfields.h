#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "core/common/result.h"

namespace Aq::LocalCloud::JsonFields
{
    // Proto3 JSON accepts the lowerCamelCase name and the original snake_case name.
    QJsonValue value(const QJsonObject &object, const char *camelName, const char *snakeName = nullptr);
    bool has(const QJsonObject &object, const char *camelName, const char *snakeName = nullptr);

    // int32/int64 fields arrive as numbers or strings; enforces [min, max] and names the field in errors.
    Result<qint64> integer(const QJsonObject &object, const char *camelName, const char *snakeName, qint64 fallback, qint64 min, qint64 max);
    Result<bool> boolean(const QJsonObject &object, const char *camelName, const char *snakeName, bool fallback);
    // A Duration ("600s") in microseconds, within [min, max].
    Result<qint64> duration(const QJsonObject &object, const char *camelName, const char *snakeName, qint64 fallback, qint64 min, qint64 max);

    // Base64 in the standard or URL-safe alphabet, padded or not.
    std::optional<QByteArray> decodeBase64(const QString &text);
    std::optional<QByteArray> decodeBase64(QByteArray latin1);

    Result<QJsonObject> parseObject(const QByteArray &body, bool allowEmpty = true);
    // How resources are kept in the store: compact JSON text.
    QString compactText(const QJsonObject &object);
}
