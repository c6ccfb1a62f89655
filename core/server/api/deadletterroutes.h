#pragma once

#include "core/server/api/apicontext.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::Server
{
    // GET /dead-letters?limit=&page_token=: the error table newest first, as a JSON array of its rows
    // ({timestamp, errorMessage, payloadString, payloadBytes, attributes: [{key, value}]}), with the next page's
    // token in X-Next-Page-Token and Link, as /events does.
    class DeadLetterRoutes
    {
    public:
        explicit DeadLetterRoutes(ApiContext &context);

        void list(const HttpRequest &request, const HttpResponder &responder);

    private:
        ApiContext &m_context;
    };
}
