#pragma once

#include "core/server/api/apicontext.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::Server
{
    // GET /events and GET /api/v1/{id}: the events table newest first, or one row by its key column. First pages
    // and rows by id come from the response cache (an Age header says how old); deep pages go to BigQuery.
    class EventsRoutes
    {
    public:
        explicit EventsRoutes(ApiContext &context);

        void listEvents(const HttpRequest &request, const HttpResponder &responder);
        void eventById(const HttpRequest &request, const HttpResponder &responder);

    private:
        void runEventsQuery(const EventsQuery &query, std::function<void(HttpResponse)> done);
        void lookUp(const QString &id, std::function<void(HttpResponse)> done);

        ApiContext &m_context;
    };

    // A BigQuery failure as the operator API reports it: the caller's mistakes stay 400, anything else is 503
    // (the backend is unreachable, or the table is missing) with BigQuery's message.
    ApiError backendError(const ApiError &error, const QString &what);
    // Adds the Age header (whole seconds, RFC 9111) to a cached response.
    HttpResponse withAge(HttpResponse response, qint64 ageMs);
}
