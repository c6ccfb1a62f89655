#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "core/bigquery/bigquerytypes.h"
#include "core/common/result.h"
#include "core/server/api/eventrowwriter.h"
#include "core/server/http/httprequest.h"

namespace Aq::Server
{
    // The events table as the API reads it.
    struct EventsTable
    {
        QString project;
        QString dataset;
        QString table;
        BigQuery::TableSchema schema;
        QString keyColumn = QStringLiteral("event_id");

        QString qualifiedName() const;   // `project.dataset.table`
    };

    // GET /events?limit=&event_type=&user_id=&since=&until=&page_token=, validated, and the one parameterised
    // query that answers it: newest first, keyset-paged (a page token is the sort key of the page's last row, so
    // a deep page costs what the first does). Filters travel only as query parameters, never in the SQL text.
    struct EventsQuery
    {
        static constexpr int DefaultLimit = 100;
        static constexpr int MaxLimit = 1000;

        int limit = DefaultLimit;
        std::optional<QString> eventType;
        std::optional<QString> userId;
        std::optional<qint64> sinceMicros;   // inclusive
        std::optional<qint64> untilMicros;   // exclusive
        std::optional<EventSortKey> after;   // from page_token: rows strictly after this one

        static Result<EventsQuery> fromRequest(const HttpRequest &request);

        bool isFirstPage() const { return !after.has_value(); }
        // The filters and limit in one canonical form: the cache key of a first page.
        QByteArray canonicalFilters() const;
        // One more row than the limit, to learn whether a next page exists.
        Result<BigQuery::QueryRequest> toQueryRequest(const EventsTable &table) const;

        // The token for the page after the row `last`; bound to these filters (another filter set refuses it).
        QString pageTokenAfter(const EventSortKey &last) const;
        // "/events?limit=..&event_type=..&page_token=.." for the Link header.
        QByteArray nextPageTarget(const QString &pageToken) const;
    };
}
