#include "core/server/api/eventsquery.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include "core/common/timeutil.h"
#include "core/server/api/requestparameters.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        constexpr int MaxFilterLength = 1024;
        constexpr int MaxTokenLength = 4096;
        const QString EPOCH_LITERAL = u"TIMESTAMP '1970-01-01 00:00:00 UTC'"_s;

        BigQuery::QueryParameter parameter(const QString &name, BigQuery::FieldType type, const QString &value)
        {
            BigQuery::QueryParameter p;
            p.name = name;
            p.type = type;
            p.value = value;
            return p;
        }

        QString quoted(const QString &column)
        {
            return u'`' + column + u'`';
        }

        BigQuery::FieldType keyParameterType(BigQuery::FieldType columnType)
        {
            switch (columnType) {
            case BigQuery::FieldType::Int64:
            case BigQuery::FieldType::Numeric:
            case BigQuery::FieldType::String:
                return columnType;
            default:
                return BigQuery::FieldType::String;
            }
        }
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
        const BigQuery::TableField *keyField = table.schema.field(table.keyColumn);
        const QString key = quoted(keyField->name);
        const bool ingestOrder = EventRowWriter::hasIngestTime(table.schema);
        const QString ingest = u"COALESCE(`ingest_time`, %1)"_s.arg(EPOCH_LITERAL);

        BigQuery::QueryRequest request;
        QStringList conditions;
        if (eventType) {
            conditions.append(u"`event_type` = @event_type"_s);
            request.parameters.append(parameter(u"event_type"_s, BigQuery::FieldType::String, *eventType));
        }
        if (userId) {
            conditions.append(u"`user_id` = @user_id"_s);
            request.parameters.append(parameter(u"user_id"_s, BigQuery::FieldType::String, *userId));
        }
        if (sinceMicros) {
            conditions.append(u"`timestamp` >= @since"_s);
            request.parameters.append(parameter(u"since"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*sinceMicros)));
        }
        if (untilMicros) {
            conditions.append(u"`timestamp` < @until"_s);
            request.parameters.append(parameter(u"until"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(*untilMicros)));
        }
        if (after) {
            const QString tie = ingestOrder ? u"(%1 < @after_ingest OR (%1 = @after_ingest AND %2 < @after_key))"_s.arg(ingest, key)
                                            : u"%1 < @after_key"_s.arg(key);
            conditions.append(u"(`timestamp` < @after_timestamp OR (`timestamp` = @after_timestamp AND %1))"_s.arg(tie));
            request.parameters.append(parameter(u"after_timestamp"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(after->timestampMicros)));
            if (ingestOrder)
                request.parameters.append(parameter(u"after_ingest"_s, BigQuery::FieldType::Timestamp, Time::formatRfc3339(after->ingestTimeMicros)));
            request.parameters.append(parameter(u"after_key"_s, keyParameterType(keyField->type), after->key));
        }
        if (eventType && !table.schema.field(u"event_type"_s))
            return ApiError::invalidArgument(u"Query parameter \"event_type\" cannot be used: the events table has no event_type column."_s);
        if (userId && !table.schema.field(u"user_id"_s))
            return ApiError::invalidArgument(u"Query parameter \"user_id\" cannot be used: the events table has no user_id column."_s);

        QString sql = u"SELECT %1 FROM %2"_s.arg(*select, table.qualifiedName());
        if (!conditions.isEmpty())
            sql += u" WHERE "_s + conditions.join(u" AND "_s);
        sql += ingestOrder ? u" ORDER BY `timestamp` DESC, %1 DESC, %2 DESC"_s.arg(ingest, key) : u" ORDER BY `timestamp` DESC, %1 DESC"_s.arg(key);
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
