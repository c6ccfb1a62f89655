#include "core/server/api/operatorapi.h"

#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/metrics/metricsjson.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/metrics/prometheusformat.h"
#include "core/pubsub/publisher.h"
#include "core/server/api/datastream.h"
#include "core/server/api/deadletterroutes.h"
#include "core/server/api/eventsroutes.h"
#include "core/server/api/publishroutes.h"
#include "core/server/api/requestparameters.h"
#include "core/server/api/servestate.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcOperatorApi, "aq.server.api", QtInfoMsg)

namespace Aq::Server
{
    namespace
    {
        // How often /readyz's backend check runs: soon after a failure (the pipeline may be creating the table).
        constexpr auto ReachableCheckInterval = std::chrono::seconds(5);
        constexpr auto UnreachableCheckInterval = std::chrono::seconds(1);
        const QString API_V1_PREFIX = u"/api/v1/"_s;

        void sendJson(const HttpResponder &responder, int status, const QJsonObject &object)
        {
            responder.send(HttpResponse::json(status, QJsonDocument(object).toJson(QJsonDocument::Compact)));
        }

        // Routes without parameters refuse any they are given.
        bool refuseParameters(const HttpRequest &request, const HttpResponder &responder)
        {
            Result<RequestParameters> params = RequestParameters::read(request, {});
            if (params)
                return false;
            responder.send(HttpResponse::fromError(params.error()));
            return true;
        }
    }

    OperatorApi::OperatorApi(const OperatorApiSettings &settings, Config::LocalBackendAccess *local, Metrics::PipelineMetrics *metrics,
                             ServeState *state, QObject *parent)
        : QObject(parent)
        , m_local {local}
        , m_context {settings, metrics, state, this}
        , m_events {std::make_unique<EventsRoutes>(m_context)}
        , m_publish {std::make_unique<PublishRoutes>(m_context)}
        , m_deadLetters {std::make_unique<DeadLetterRoutes>(m_context)}
        , m_backendCheck {new QTimer(this)}
    {
        buildRoutes();
        m_backendCheck->setInterval(UnreachableCheckInterval);
        connect(m_backendCheck, &QTimer::timeout, this, &OperatorApi::checkBackends);
    }

    OperatorApi::~OperatorApi() = default;

    void OperatorApi::start()
    {
        Config::Connection::open(m_context.settings.profile, m_local, this, [this](Result<std::unique_ptr<Config::Connection>> connection) {
            if (!connection) {
                qCWarning(lcOperatorApi) << "the operator API cannot reach its backends:" << connection.error().message;
                m_backendCheck->start();
                return;
            }
            m_connection = std::move(*connection);
            m_context.bigquery = m_connection->bigquery();
            m_context.pubsub = m_connection->pubsub();
            PubSub::PublisherSettings publisherSettings;
            publisherSettings.maxOutstandingMessages = 20'000;
            publisherSettings.maxOutstandingBytes = 100 * 1024 * 1024;
            m_context.publisher = new PubSub::Publisher(m_context.pubsub, m_context.settings.profile.topic, publisherSettings, this);
            m_context.state->setApiConnected(true);
            checkBackends();
            m_backendCheck->start();
        });
    }

    void OperatorApi::checkBackends()
    {
        if (!m_connection) {
            // The connection itself failed (credentials, say): try again.
            m_backendCheck->stop();
            start();
            return;
        }
        if (m_checking)
            return;
        m_checking = true;
        const EventsTable &table = m_context.eventsTable;
        m_context.bigquery->getTable(table.dataset, table.table, this, [this](Result<BigQuery::TableInfo> info) {
            m_checking = false;
            if (!info)
                qCDebug(lcOperatorApi) << "backend check failed:" << info.error().message;
            m_context.state->setBackendReachable(bool(info));
            m_backendCheck->setInterval(info ? ReachableCheckInterval : UnreachableCheckInterval);
        });
    }

    void OperatorApi::buildRoutes()
    {
        const auto get = [this](const QString &path, Handler handler) { m_routes.append({"GET", path, false, std::move(handler)}); };
        const auto post = [this](const QString &path, Handler handler) { m_routes.append({"POST", path, false, std::move(handler)}); };

        get(u"/events"_s, [this](const HttpRequest &request, const HttpResponder &responder) { m_events->listEvents(request, responder); });
        m_routes.append({"GET", API_V1_PREFIX, true, [this](const HttpRequest &request, const HttpResponder &responder) {
                             m_events->eventById(request, responder);
                         }});
        get(u"/data"_s, [this](const HttpRequest &request, const HttpResponder &responder) { DataStream::start(m_context, request, responder); });
        post(u"/publish"_s, [this](const HttpRequest &request, const HttpResponder &responder) { m_publish->publish(request, responder); });
        get(u"/stats"_s, [this](const HttpRequest &request, const HttpResponder &responder) {
            if (refuseParameters(request, responder))
                return;
            QJsonObject stats = Metrics::toJson(m_context.metrics->snapshot());
            stats.insert(u"readiness"_s, m_context.state->toJson());
            const ResponseCache::Stats cache = m_context.cache.stats();
            stats.insert(u"responseCache"_s, QJsonObject {{u"ttlMs"_s, qint64(m_context.cache.ttl().count())},
                                                          {u"hits"_s, cache.hits},
                                                          {u"staleHits"_s, cache.staleHits},
                                                          {u"refreshes"_s, cache.fetches},
                                                          {u"entries"_s, qint64(cache.entries)},
                                                          {u"bytes"_s, qint64(cache.bytes)}});
            sendJson(responder, 200, stats);
        });
        get(u"/stats/series"_s, [this](const HttpRequest &request, const HttpResponder &responder) {
            Result<RequestParameters> params = RequestParameters::read(request, {u"window"_s});
            Result<QString> window = params ? params->choice(u"window"_s, {u"60"_s, u"900"_s, u"3600"_s}, u"60"_s) : Result<QString>(params.error());
            if (!window)
                return responder.send(HttpResponse::fromError(window.error()));
            sendJson(responder, 200, Metrics::seriesToJson(m_context.metrics->series(window->toInt())));
        });
        get(u"/dead-letters"_s, [this](const HttpRequest &request, const HttpResponder &responder) { m_deadLetters->list(request, responder); });
        post(u"/dead-letters/redrive"_s, [this](const HttpRequest &request, const HttpResponder &responder) { m_publish->redrive(request, responder); });
        get(u"/metrics"_s, [this](const HttpRequest &request, const HttpResponder &responder) {
            if (refuseParameters(request, responder))
                return;
            responder.send(HttpResponse(200, Metrics::prometheusContentType(), m_context.metrics->prometheusText()));
        });
        get(u"/healthz"_s, [](const HttpRequest &, const HttpResponder &responder) {
            responder.send(HttpResponse::json(200, QByteArrayLiteral("{\"status\":\"ok\"}")));
        });
        get(u"/readyz"_s, [this](const HttpRequest &, const HttpResponder &responder) { readyz(responder); });
        get(u"/openapi.json"_s, [](const HttpRequest &, const HttpResponder &responder) {
            responder.send(HttpResponse::json(200, openApiDocument()));
        });
    }

    void OperatorApi::readyz(const HttpResponder &responder) const
    {
        const QJsonObject state = m_context.state->toJson();
        sendJson(responder, m_context.state->isReady() ? 200 : 503, state);
    }

    bool OperatorApi::handle(const HttpRequest &request, const HttpResponder &responder)
    {
        const QString &path = request.path();
        QByteArray method = request.method();
        if (method == "HEAD")
            method = "GET";
        QStringList allowed;
        for (const Route &route : std::as_const(m_routes)) {
            const bool matches = route.isPrefix ? path.startsWith(route.path) && path.size() > route.path.size() : path == route.path;
            if (!matches)
                continue;
            if (route.method == method) {
                route.handler(request, responder);
                return true;
            }
            allowed.append(QString::fromLatin1(route.method));
        }
        if (allowed.isEmpty())
            return false;
        if (allowed.contains(u"GET"_s))
            allowed.append(u"HEAD"_s);
        HttpResponse response = HttpResponse::error(405, u"%1 does not take %2; it takes %3."_s.arg(path, QString::fromLatin1(request.method()), allowed.join(u", "_s)));
        response.setHeader("Allow", allowed.join(u", "_s).toLatin1());
        responder.send(response);
        return true;
    }

    QList<OperatorApi::RouteInfo> OperatorApi::routes()
    {
        OperatorApiSettings settings;
        ServeState state;
        OperatorApi api(settings, nullptr, nullptr, &state);
        QList<RouteInfo> infos;
        for (const Route &route : std::as_const(api.m_routes))
            infos.append({route.method, route.isPrefix ? route.path + u"{id}"_s : route.path});
        return infos;
    }

    QByteArray OperatorApi::openApiDocument()
    {
        static const QByteArray document = [] {
            QFile file(u":/aqueduct/openapi.json"_s);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        return document;
    }
}
