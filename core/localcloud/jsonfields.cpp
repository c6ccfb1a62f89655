#include "core/localcloud/jsonfields.h"

#include <cmath>

#include <QJsonDocument>

#include "core/common/base64.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud::JsonFields
{
    QJsonValue value(const QJsonObject &object, const char *camelName, const char *snakeName)
    {
        auto it = object.constFind(QLatin1StringView(camelName));
        if (it != object.constEnd())
            return *it;
        if (snakeName) {
            it = object.constFind(QLatin1StringView(snakeName));
            if (it != object.constEnd())
                return *it;
        }
        return QJsonValue(QJsonValue::Undefined);
    }

    bool has(const QJsonObject &object, const char *camelName, const char *snakeName)
    {
        const QJsonValue v = value(object, camelName, snakeName);
        return !v.isUndefined() && !v.isNull();
    }

    Result<qint64> integer(const QJsonObject &object, const char *camelName, const char *snakeName, qint64 fallback, qint64 min, qint64 max)
    {
        const QJsonValue v = value(object, camelName, snakeName);
        if (v.isUndefined() || v.isNull())
            return fallback;
        qint64 number = 0;
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (d != std::floor(d) || std::fabs(d) > 9.0e15)
                return ApiError::invalidArgument(u"Invalid value for %1: %2 is not an integer."_s.arg(QLatin1StringView(camelName)).arg(d));
            number = qint64(d);
        } else if (v.isString()) {
            bool ok = false;
            number = v.toString().trimmed().toLongLong(&ok);
            if (!ok)
                return ApiError::invalidArgument(u"Invalid value for %1: \"%2\" is not an integer."_s.arg(QLatin1StringView(camelName), v.toString()));
        } else {
            return ApiError::invalidArgument(u"Invalid value for %1: expected an integer."_s.arg(QLatin1StringView(camelName)));
        }
        if (number < min || number > max)
            return ApiError::invalidArgument(u"Invalid value for %1: %2 (must be between %3 and %4)."_s.arg(QLatin1StringView(camelName)).arg(number).arg(min).arg(max));
        return number;
    }

    Result<bool> boolean(const QJsonObject &object, const char *camelName, const char *snakeName, bool fallback)
    {
        const QJsonValue v = value(object, camelName, snakeName);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (v.isBool())
            return v.toBool();
        if (v.isString() && (v.toString() == u"true"_s || v.toString() == u"false"_s))
            return v.toString() == u"true"_s;
        return ApiError::invalidArgument(u"Invalid value for %1: expected true or false."_s.arg(QLatin1StringView(camelName)));
    }

    Result<qint64> duration(const QJsonObject &object, const char *camelName, const char *snakeName, qint64 fallback, qint64 min, qint64 max)
    {
        const QJsonValue v = value(object, camelName, snakeName);
        if (v.isUndefined() || v.isNull())
            return fallback;
        std::optional<qint64> micros;
        if (v.isString())
            micros = Time::parseDuration(v.toString());
        else if (v.isObject()) // {"seconds": "600", "nanos": 0}
            micros = qint64(v.toObject().value(u"seconds"_s).toVariant().toLongLong()) * 1000000 + v.toObject().value(u"nanos"_s).toInt() / 1000;
        if (!micros)
            return ApiError::invalidArgument(u"Invalid value for %1: expected a duration such as \"600s\"."_s.arg(QLatin1StringView(camelName)));
        if (*micros < min || *micros > max)
            return ApiError::invalidArgument(u"Invalid value for %1: %2 (must be between %3 and %4)."_s.arg(
                QLatin1StringView(camelName), Time::formatDuration(*micros), Time::formatDuration(min), Time::formatDuration(max)));
        return *micros;
    }

    std::optional<QByteArray> decodeBase64(const QString &text)
    {
        return decodeBase64(text.toLatin1());
    }

    std::optional<QByteArray> decodeBase64(QByteArray latin1)
    {
        if (std::optional<QByteArray> canonical = Base64::decodeCanonical(latin1))
            return canonical;
        QByteArray bytes = std::move(latin1).trimmed();
        const bool urlSafe = bytes.contains('-') || bytes.contains('_');
        auto options = (urlSafe ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding) | QByteArray::AbortOnBase64DecodingErrors;
        while (bytes.size() % 4 != 0)
            bytes.append('=');
        QByteArray::FromBase64Result result = QByteArray::fromBase64Encoding(bytes, options);
        if (!result)
            return std::nullopt;
        return std::move(result.decoded);
    }

    QString compactText(const QJsonObject &object)
    {
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    }

    Result<QJsonObject> parseObject(const QByteArray &body, bool allowEmpty)
    {
        if (body.trimmed().isEmpty()) {
            if (allowEmpty)
                return QJsonObject();
            return ApiError::invalidArgument(u"The request has no body; a JSON object is required."_s);
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(body, &error);
        if (error.error != QJsonParseError::NoError)
            return ApiError::invalidArgument(u"Invalid JSON payload received. %1 at offset %2."_s.arg(error.errorString()).arg(error.offset), u"parseError"_s);
        if (!document.isObject())
            return ApiError::invalidArgument(u"Invalid JSON payload received. The body must be a JSON object."_s, u"parseError"_s);
        return document.object();
    }
}
