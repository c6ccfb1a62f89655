#include "core/server/api/eventsquery.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include "core/bigquery/newestfirstquery.h"
#include "core/common/timeutil.h"
#include "core/server/api/requestparameters.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        constexpr int MaxFilterLength = 1024;
        constexpr int MaxTokenLength = 4096;
        const QString TIMESTAMP_COLUMN = u"timestamp"_s;
        const QString INGEST_TIME_COLUMN = u"ingest_time"_s;
    }

    QString EventsTable::qualifiedName() const
    {
        return u"`%1.%2.%3`"_s.arg(project, dataset, table);
    }

    Result<EventsQuery> EventsQuery::fromRequest(const HttpRequest &request)
    {
        Result<RequestParameters> params =
            RequestParameters::read(request, {u"limit"_s, u"event_type"_s, u"user_id"_s, u"since"_s, u"until"_s, u"page_token"_s});
        if (!params)
            return params.error();
        EventsQuery query;
        Result<qint64> limit = params->integer(u"limit"_s, 1, MaxLimit, DefaultLimit);
        if (!limit)
            return limit.error();
        query.limit = int(*limit);
        Result<std::optional<QString>> eventType = params->boundedText(u"event_type"_s, MaxFilterLength);
        if (!eventType)
            return eventType.error();
        query.eventType = *eventType;
        Result<std::optional<QString>> userId = params->boundedText(u"user_id"_s, MaxFilterLength);
        if (!userId)
            return userId.error();
        query.userId = *userId;
        Result<std::optional<qint64>> since = params->timestamp(u"since"_s);
        if (!since)
            return since.error();
        query.sinceMicros = *since;
        Result<std::optional<qint64>> until = params->timestamp(u"until"_s);
        if (!until)
            return until.error();
        query.untilMicros = *until;
        if (query.sinceMicros && query.untilMicros && *query.sinceMicros >= *query.untilMicros)
            return ApiError::invalidArgument(u"Query parameter \"since\" must be earlier than \"until\"."_s);

        Result<std::optional<QString>> token = params->boundedText(u"page_token"_s, MaxTokenLength);
        if (!token)
            return token.error();
        if (*token) {
            const QByteArray raw = QByteArray::fromBase64(token->value().toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
            const QJsonObject object = QJsonDocument::fromJson(raw).object();
            const std::optional<qint64> t = Time::parseTimestamp(object.value(u"t"_s).toString());
            const std::optional<qint64> i = Time::parseTimestamp(object.value(u"i"_s).toString());
            if (object.value(u"v"_s).toInt() != 1 || !t || !i || !object.value(u"k"_s).isString())
                return ApiError::invalidArgument(u"Query parameter \"page_token\" is not a token this server gave out; start again without it."_s);
            if (object.value(u"f"_s).toString() != QString::fromLatin1(QCryptographicHash::hash(query.canonicalFilters(), QCryptographicHash::Sha256).toHex().left(16)))
                return ApiError::invalidArgument(u"Query parameter \"page_token\" belongs to other filters; send the same event_type, user_id, since, until and limit as the page it came from."_s);
            query.after = EventSortKey {*t, *i, object.value(u"k"_s).toString()};
        }
        return query;
    }

    QByteArray EventsQuery::canonicalFilters() const
    {
        QUrlQuery q;
        q.addQueryItem(u"limit"_s, QString::number(limit));
        if (eventType)
            q.addQueryItem(u"event_type"_s, *eventType);
        if (userId)
            q.addQueryItem(u"user_id"_s, *userId);
        if (sinceMicros)
            q.addQueryItem(u"since"_s, Time::formatRfc3339(*sinceMicros));
        if (untilMicros)
            q.addQueryItem(u"until"_s, Time::formatRfc3339(*untilMicros));
        return q.query(QUrl::FullyEncoded).toUtf8();
    }

    Result<BigQuery::QueryRequest> EventsQuery::toQueryRequest(const EventsTable &table) const
    {
        Result<QString> select = EventRowWriter::selectList(table.schema, table.keyColumn);
        if (!select)
            return select.error();
        // The Rows page's order (core/bigquery/newestfirstquery): a token names a row by its place in it.
        const BigQuery::NewestFirstQuery order(table.schema, TIMESTAMP_COLUMN, table.keyColumn);

        BigQuery::QueryRequest request;
        QStringList conditions;
        if (eventType) {
            conditions.append(u"`event_type` = @event_type"_s);
            request.parameters.append(BigQuery::QueryParameter::scalar(u"event_type"_s, BigQuery::FieldType::String, *eventType));
        }
        if (userId) {
            conditions.append(u"`user_id` = @user_id"_s);
            request.parameters.append(BigQuery::QueryParameter::scalar(u"user_id"_s, BigQuery::FieldType::String, *userId));
        }
        if (sinceMicros) {
            conditions.append(u"`timestamp` >= @since"_s);
            request.parameters.append(BigQuery::QueryParameter::scalar(u"since"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*sinceMicros)));
        }
        if (untilMicros) {
            conditions.append(u"`timestamp` < @until"_s);
            request.parameters.append(BigQuery::QueryParameter::scalar(u"until"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*untilMicros)));
        }
        if (after) {
            QStringList key;
            for (const BigQuery::NewestFirstQuery::Column &c : order.columns()) {
                const QString &name = table.schema.fields[c.fieldIndex].name;
                if (name == TIMESTAMP_COLUMN)
                    key.append(Time::formatRfc3339(after->timestampMicros));
                else if (name == INGEST_TIME_COLUMN)
                    key.append(Time::formatRfc3339(after->ingestTimeMicros));
                else
                    key.append(after->key);
            }
            conditions.append(order.keyCondition(key, BigQuery::NewestFirstQuery::Bound::Older, u"after"_s, request.parameters));
        }
        if (eventType && !table.schema.field(u"event_type"_s))
            return ApiError::invalidArgument(u"Query parameter \"event_type\" cannot be used: the events table has no event_type column."_s);
        if (userId && !table.schema.field(u"user_id"_s))
            return ApiError::invalidArgument(u"Query parameter \"user_id\" cannot be used: the events table has no user_id column."_s);

        QString sql = u"SELECT %1 FROM %2"_s.arg(*select, table.qualifiedName());
        if (!conditions.isEmpty())
            sql += u" WHERE "_s + conditions.join(u" AND "_s);
        sql += order.orderBy(BigQuery::NewestFirstQuery::Direction::NewestFirst);
        sql += u" LIMIT %1"_s.arg(limit + 1);
        request.sql = sql;
        request.pageSize = limit + 1;
        return request;
    }

    QString EventsQuery::pageTokenAfter(const EventSortKey &last) const
    {
        QJsonObject object {
            {u"v"_s, 1},
            {u"t"_s, Time::formatRfc3339Fixed(last.timestampMicros, 6)},
            {u"i"_s, Time::formatRfc3339Fixed(last.ingestTimeMicros, 6)},
            {u"k"_s, last.key},
            {u"f"_s, QString::fromLatin1(QCryptographicHash::hash(canonicalFilters(), QCryptographicHash::Sha256).toHex().left(16))},
        };
        return QString::fromLatin1(QJsonDocument(object).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    }

    QByteArray EventsQuery::nextPageTarget(const QString &pageToken) const
    {
        QByteArray target = "/events?" + canonicalFilters();
        target += "&page_token=" + QUrl::toPercentEncoding(pageToken);
        return target;
    }
}
