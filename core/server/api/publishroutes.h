#pragma once

#include "core/server/api/apicontext.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::Server
{
    // POST /publish and POST /dead-letters/redrive: messages to the profile's topic through the API's Publisher,
    // answered with their message IDs ({"messageIds": [...]}) once Pub/Sub has them. ?validate=true (the default for
    // redrive, whose payloads were fixed by hand) checks every message against the table schema first and
    // publishes none when one fails: 400 with a reason per failing message.
    class PublishRoutes
    {
    public:
        explicit PublishRoutes(ApiContext &context);

        void publish(const HttpRequest &request, const HttpResponder &responder);
        void redrive(const HttpRequest &request, const HttpResponder &responder);

    private:
        void publishBody(const HttpRequest &request, const HttpResponder &responder, bool validateByDefault);

        ApiContext &m_context;
    };
}
