#pragma once

#include <functional>
#include <memory>

#include <QList>
#include <QObject>
#include <QTimer>

#include "core/server/api/apicontext.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"

namespace Aq::Config
{
    class Connection;
    class LocalBackendAccess;
}

namespace Aq::Server
{
    class DeadLetterRoutes;
    class EventsRoutes;
    class PublishRoutes;

    // The operator HTTP API (DESIGN.md, "Operator HTTP API"; documented in resources/openapi.json): /events,
    // /data, /api/v1/{id}, /publish, /stats, /stats/series, /dead-letters, /dead-letters/redrive, /metrics,
    // /healthz, /readyz, /openapi.json. Lives on the HTTP server's thread, where it opens its own connection to
    // the profile's backends (the ingest pipeline has its own on its thread).
    class OperatorApi final : public QObject
    {
        Q_OBJECT

    public:
        struct RouteInfo
        {
            QByteArray method;   // GET routes answer HEAD too
            QString path;        // "/api/v1/{id}" for the one parameterised route
        };

        OperatorApi(const OperatorApiSettings &settings, Config::LocalBackendAccess *local, Metrics::PipelineMetrics *metrics, ServeState *state,
                    QObject *parent = nullptr);
        ~OperatorApi() override;

        // Opens the connection (asynchronous; routes that need it answer 503 until then). On this object's thread.
        void start();
        // False when no operator route has this path (the caller answers 404).
        bool handle(const HttpRequest &request, const HttpResponder &responder);

        static QList<RouteInfo> routes();
        static QByteArray openApiDocument();

    private:
        using Handler = std::function<void(const HttpRequest &, const HttpResponder &)>;
        struct Route
        {
            QByteArray method;
            QString path;
            bool isPrefix = false;
            Handler handler;
        };

        void buildRoutes();
        void checkBackends();
        void readyz(const HttpResponder &responder) const;

        Config::LocalBackendAccess *m_local;
        ApiContext m_context;
        std::unique_ptr<Config::Connection> m_connection;
        std::unique_ptr<EventsRoutes> m_events;
        std::unique_ptr<PublishRoutes> m_publish;
        std::unique_ptr<DeadLetterRoutes> m_deadLetters;
        QList<Route> m_routes;
        QTimer *m_backendCheck;
        bool m_checking = false;
    };
}
