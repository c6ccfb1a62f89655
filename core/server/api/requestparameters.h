#pragma once

#include <optional>

#include <QString>
#include <QStringList>

#include "core/common/result.h"
#include "core/server/http/httprequest.h"

namespace Aq::Server
{
    // A route's query parameters, checked: each parameter the route does not know, or that is given twice, is a
    // 400 that names it and lists the ones the route takes. Every getter validates its value and names the
    // parameter in its error.
    //
    //     Result<RequestParameters> params = RequestParameters::read(request, {u"limit"_s, u"since"_s});
    //     Result<int> limit = params->integer(u"limit"_s, 1, 1000, 100);
    class RequestParameters
    {
    public:
        static Result<RequestParameters> read(const HttpRequest &request, const QStringList &accepted);

        bool has(const QString &name) const;
        // The value, or nullopt when absent. An empty value counts as absent.
        std::optional<QString> text(const QString &name, int maxLength = 1024) const;
        Result<std::optional<QString>> boundedText(const QString &name, int maxLength = 1024) const;
        Result<qint64> integer(const QString &name, qint64 min, qint64 max, qint64 defaultValue) const;
        // RFC 3339 or any form BigQuery takes for a TIMESTAMP; microseconds since the epoch.
        Result<std::optional<qint64>> timestamp(const QString &name) const;
        Result<bool> boolean(const QString &name, bool defaultValue) const;
        // One of `choices` (case-insensitive), lower-cased.
        Result<QString> choice(const QString &name, const QStringList &choices, const QString &defaultValue) const;

    private:
        HttpRequest::QueryItems m_items;
    };
}
