#include "core/server/api/eventsroutes.h"

#include "core/bigquery/bigqueryclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        const QByteArray API_V1_PREFIX = QByteArrayLiteral("/api/v1/");
        constexpr int MaxIdLength = 1024;
    }

    ApiError backendError(const ApiError &error, const QString &what)
    {
        if (error.httpStatus == 400)
            return ApiError::invalidArgument(u"%1: %2"_s.arg(what, error.message));
        ApiError unavailable = ApiError::unavailable(u"%1: BigQuery answered %2 %3: %4"_s.arg(what).arg(error.httpStatus).arg(error.status, error.message));
        return unavailable;
    }

    HttpResponse withAge(HttpResponse response, qint64 ageMs)
    {
        response.setHeader("Age", QByteArray::number(qMax<qint64>(0, ageMs) / 1000));
        return response;
    }

    EventsRoutes::EventsRoutes(ApiContext &context)
        : m_context {context}
    {
    }

    void EventsRoutes::listEvents(const HttpRequest &request, const HttpResponder &responder)
    {
        Result<EventsQuery> query = EventsQuery::fromRequest(request);
        if (!query)
            return responder.send(HttpResponse::fromError(query.error()));
        if (Status connected = m_context.requireConnection(); !connected)
            return responder.send(HttpResponse::fromError(connected.error()));
        if (!query->isFirstPage() || m_context.settings.cacheTtl.count() == 0) {
            runEventsQuery(*query, [responder](HttpResponse response) { responder.send(std::move(response)); });
            return;
        }
        const QByteArray key = "events?" + query->canonicalFilters();
        m_context.cache.get(key, [this, q = *query](std::function<void(HttpResponse)> done) { runEventsQuery(q, std::move(done)); },
                            [responder](const HttpResponse &response, qint64 ageMs) { responder.send(withAge(response, ageMs)); });
    }

    void EventsRoutes::runEventsQuery(const EventsQuery &query, std::function<void(HttpResponse)> done)
    {
        Result<BigQuery::QueryRequest> request = query.toQueryRequest(m_context.eventsTable);
        if (!request)
            return done(HttpResponse::fromError(request.error()));
        m_context.bigquery->query(*request, m_context.owner, [query, keyColumn = m_context.eventsTable.keyColumn, done](Result<BigQuery::QueryPage> page) {
            if (!page)
                return done(HttpResponse::fromError(backendError(page.error(), u"The events table cannot be read"_s)));
            Result<EventRowWriter> writer = EventRowWriter::create(page->fields, keyColumn);
            if (!writer)
                return done(HttpResponse::fromError(writer.error()));
            const qsizetype shown = qMin<qsizetype>(page->rows.size(), query.limit);
            QByteArray body;
            body.reserve(shown * 256 + 2);
            body += '[';
            for (qsizetype i = 0; i < shown; ++i) {
                if (i)
                    body += ',';
                writer->appendJson(page->rows[i], body);
            }
            body += ']';
            HttpResponse response = HttpResponse::json(200, body);
            if (page->rows.size() > query.limit) {
                const QString token = query.pageTokenAfter(writer->sortKey(page->rows[shown - 1]));
                response.setHeader("X-Next-Page-Token", token.toLatin1());
                response.setHeader("Link", QByteArray("<" + query.nextPageTarget(token) + ">; rel=\"next\""));
            }
            done(response);
        });
    }

    void EventsRoutes::eventById(const HttpRequest &request, const HttpResponder &responder)
    {
        // From the raw target: an id may contain an encoded '/'.
        QByteArray raw = request.target();
        raw = raw.left(raw.indexOf('?') < 0 ? raw.size() : raw.indexOf('?')).mid(API_V1_PREFIX.size());
        const QString id = QString::fromUtf8(QByteArray::fromPercentEncoding(raw));
        if (id.isEmpty() || id.size() > MaxIdLength || raw.contains('/'))
            return responder.send(HttpResponse::fromError(ApiError::invalidArgument(
                u"The path must be /api/v1/{id} with one non-empty id of at most %1 characters (percent-encode a '/' in it)."_s.arg(MaxIdLength))));
        if (!request.queryItems().isEmpty())
            return responder.send(HttpResponse::fromError(ApiError::invalidArgument(u"/api/v1/{id} takes no query parameters."_s)));
        if (Status connected = m_context.requireConnection(); !connected)
            return responder.send(HttpResponse::fromError(connected.error()));
        if (m_context.settings.cacheTtl.count() == 0)
            return lookUp(id, [responder](HttpResponse response) { responder.send(std::move(response)); });
        m_context.cache.get("id/" + id.toUtf8(), [this, id](std::function<void(HttpResponse)> done) { lookUp(id, std::move(done)); },
                            [responder](const HttpResponse &response, qint64 ageMs) { responder.send(withAge(response, ageMs)); });
    }

    void EventsRoutes::lookUp(const QString &id, std::function<void(HttpResponse)> done)
    {
        const EventsTable &table = m_context.eventsTable;
        Result<QString> select = EventRowWriter::selectList(table.schema, table.keyColumn);
        if (!select)
            return done(HttpResponse::fromError(select.error()));
        BigQuery::QueryRequest request;
        request.sql = u"SELECT %1 FROM %2 WHERE `%3` = @id ORDER BY `timestamp` DESC LIMIT 1"_s.arg(*select, table.qualifiedName(), table.keyColumn);
        BigQuery::QueryParameter idParameter;
        idParameter.name = u"id"_s;
        const BigQuery::TableField *keyField = table.schema.field(table.keyColumn);
        idParameter.type = keyField && keyField->type == BigQuery::FieldType::Int64 ? BigQuery::FieldType::Int64 : BigQuery::FieldType::String;
        idParameter.value = id;
        if (idParameter.type == BigQuery::FieldType::Int64) {
            bool ok = false;
            id.toLongLong(&ok);
            if (!ok)
                return done(HttpResponse::fromError(ApiError::notFound(u"No event with %1 \"%2\"."_s.arg(table.keyColumn, id.left(128)))));
        }
        request.parameters.append(idParameter);
        request.pageSize = 1;
        m_context.bigquery->query(request, m_context.owner, [id, keyColumn = table.keyColumn, done](Result<BigQuery::QueryPage> page) {
            if (!page)
                return done(HttpResponse::fromError(backendError(page.error(), u"The events table cannot be read"_s)));
            if (page->rows.isEmpty())
                return done(HttpResponse::fromError(ApiError::notFound(u"No event with %1 \"%2\"."_s.arg(keyColumn, id.left(128)))));
            Result<EventRowWriter> writer = EventRowWriter::create(page->fields, keyColumn);
            if (!writer)
                return done(HttpResponse::fromError(writer.error()));
            QByteArray body;
            writer->appendJson(page->rows.first(), body);
            done(HttpResponse::json(200, body));
        });
    }
}
