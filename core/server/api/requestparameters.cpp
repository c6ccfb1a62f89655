#include "core/server/api/requestparameters.h"

#include <QSet>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    Result<RequestParameters> RequestParameters::read(const HttpRequest &request, const QStringList &accepted)
    {
        RequestParameters parameters;
        QSet<QString> seen;
        for (const auto &[name, value] : request.queryItems()) {
            if (!accepted.contains(name)) {
                const QString takes = accepted.isEmpty() ? u"takes no query parameters"_s : u"takes %1"_s.arg(accepted.join(u", "_s));
                return ApiError::invalidArgument(u"Unknown query parameter \"%1\": %2 %3."_s.arg(name.left(64), request.path().left(64), takes));
            }
            if (seen.contains(name))
                return ApiError::invalidArgument(u"Query parameter \"%1\" is given more than once; give it once."_s.arg(name));
            seen.insert(name);
            parameters.m_items.append({name, value});
        }
        return parameters;
    }

    bool RequestParameters::has(const QString &name) const
    {
        return text(name).has_value();
    }

    std::optional<QString> RequestParameters::text(const QString &name, int maxLength) const
    {
        for (const auto &[key, value] : m_items) {
            if (key == name)
                return value.isEmpty() ? std::nullopt : std::optional<QString>(value.left(maxLength));
        }
        return std::nullopt;
    }

    Result<std::optional<QString>> RequestParameters::boundedText(const QString &name, int maxLength) const
    {
        const std::optional<QString> value = text(name, maxLength + 1);
        if (value && value->size() > maxLength)
            return ApiError::invalidArgument(u"Query parameter \"%1\" is longer than %2 characters."_s.arg(name).arg(maxLength));
        return value;
    }

    Result<qint64> RequestParameters::integer(const QString &name, qint64 min, qint64 max, qint64 defaultValue) const
    {
        const std::optional<QString> value = text(name, 32);
        if (!value)
            return defaultValue;
        bool ok = false;
        const qint64 number = value->toLongLong(&ok);
        if (!ok || number < min || number > max)
            return ApiError::invalidArgument(u"Query parameter \"%1\" must be a whole number from %2 to %3, not \"%4\"."_s.arg(name).arg(min).arg(max).arg(*value));
        return number;
    }

    Result<std::optional<qint64>> RequestParameters::timestamp(const QString &name) const
    {
        const std::optional<QString> value = text(name, 64);
        if (!value)
            return std::optional<qint64>();
        const std::optional<qint64> micros = Time::parseTimestamp(*value);
        if (!micros)
            return ApiError::invalidArgument(u"Query parameter \"%1\" must be a time in RFC 3339 form, such as 2024-05-01T12:00:00Z, not \"%2\"."_s.arg(name, *value));
        return micros;
    }

    Result<bool> RequestParameters::boolean(const QString &name, bool defaultValue) const
    {
        const std::optional<QString> value = text(name, 8);
        if (!value)
            return defaultValue;
        const QString lower = value->toLower();
        if (lower == u"true"_s || lower == u"1"_s)
            return true;
        if (lower == u"false"_s || lower == u"0"_s)
            return false;
        return ApiError::invalidArgument(u"Query parameter \"%1\" must be true or false, not \"%2\"."_s.arg(name, *value));
    }

    Result<QString> RequestParameters::choice(const QString &name, const QStringList &choices, const QString &defaultValue) const
    {
        const std::optional<QString> value = text(name, 32);
        if (!value)
            return defaultValue;
        const QString lower = value->toLower();
        if (!choices.contains(lower))
            return ApiError::invalidArgument(u"Query parameter \"%1\" must be one of %2, not \"%3\"."_s.arg(name, choices.join(u", "_s), *value));
        return lower;
    }
}
