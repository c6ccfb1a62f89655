#include "core/server/servehost.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QTimer>

#include "core/localcloud/datafolderlock.h"
#include "core/localcloud/localbackend.h"
#include "core/localcloud/localcloud.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pipeline/pipelinerunner.h"
#include "core/server/access/accesslog.h"
#include "core/server/api/operatorapi.h"
#include "core/server/api/servestate.h"
#include "core/server/http/httpresponse.h"
#include "core/server/http/httpserver.h"
#include "core/server/http/openfilelimit.h"
#include "core/server/localcloudroute.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcServeHost, "aq.server.host", QtInfoMsg)

namespace Aq::Server
{
    namespace
    {
        // Pub/Sub's own request limit: the largest body any route or the local cloud takes.
        constexpr qint64 MaxRequestBodyBytes = 10 * 1024 * 1024;
        // After draining, how long requests still in flight (a /data export, a long pull) may take.
        constexpr qint64 RequestDrainMs = 1500;

        HttpHandler makeHandler(std::optional<LocalCloudRoute> localCloudRoute, OperatorApi *api, const AccessPolicy &access, const CorsPolicy &cors)
        {
            return [localCloudRoute, api, access, cors](const HttpRequest &request, HttpResponder responder) {
                if (cors.isPreflight(request)) {
                    responder.send(cors.preflightResponse(request));
                    return;
                }
                if (Status allowed = authorize(access, request); !allowed) {
                    responder.send(accessDeniedResponse(allowed.error()));
                    return;
                }
                if (localCloudRoute && LocalCloudRoute::matches(request.path())) {
                    localCloudRoute->handle(request, std::move(responder));
                    return;
                }
                if (api->handle(request, responder))
                    return;
                responder.send(HttpResponse::fromError(
                    ApiError::notFound(u"No route for %1 %2; see /openapi.json."_s.arg(QString::fromLatin1(request.method()), request.path().left(256)))));
            };
        }

        HttpServerHooks makeHooks(const CorsPolicy &cors)
        {
            HttpServerHooks hooks;
            if (cors.isEnabled())
                hooks.decorateResponse = [cors](const HttpRequest &request, HttpHeaders &headers) { cors.decorate(request, headers); };
            if (isAccessLogEnabled()) {
                hooks.exchangeFinished = [](const HttpExchange &exchange) {
                    logAccess({exchange.method, exchange.target, exchange.status, exchange.responseBytes, exchange.requestBytes, exchange.userAgent,
                               exchange.referer, exchange.peer, exchange.latencySeconds, exchange.protocol});
                };
            }
            return hooks;
        }
    }

    ServeHost::ServeHost(ServeOptions options, QObject *parent)
        : QObject(parent)
        , m_options {std::move(options)}
        , m_metrics {std::make_unique<Metrics::PipelineMetrics>()}   // large (hours of points): on the heap
        , m_state {std::make_unique<ServeState>()}
    {
        m_httpThread.setObjectName(u"http"_s);
        m_state->setIngestEnabled(m_options.ingest);
    }

    ServeHost::~ServeHost()
    {
        m_pipeline.reset();
        m_httpThread.quit();
        m_httpThread.wait();
        if (m_cloudHost)
            m_cloudHost->stop();
    }

    bool ServeHost::hostsLocalCloud() const
    {
        return m_options.profile.usesLocal();
    }

    std::optional<ServeHost::StartFailure> ServeHost::start()
    {
        // The local cloud, when a service is on the local backend: this process owns the data folder.
        if (hostsLocalCloud()) {
            Result<std::unique_ptr<LocalCloud::DataFolderLock>> acquired = LocalCloud::DataFolderLock::acquire(m_options.dataDir);
            if (!acquired)
                return StartFailure {ExitFolderOwned, acquired.error().message};
            m_lock = std::move(*acquired);
            LocalCloud::LocalCloudOptions cloudOptions;
            cloudOptions.dataDir = m_options.dataDir;
            cloudOptions.durability = m_options.durability;
            cloudOptions.dedupWindowMicros = m_options.dedupWindowMicros;
            m_cloudHost = std::make_unique<LocalCloud::LocalCloudHost>(cloudOptions);
            if (Status s = m_cloudHost->start(); !s)
                return StartFailure {ExitFailure, s.error().message};
            m_localBackend = std::make_unique<LocalCloud::LocalBackend>(m_cloudHost->cloud());
        }

        raiseOpenFileLimit();
        auto *server = new HttpServer;
        HttpServerLimits limits;
        limits.maxBodyBytes = MaxRequestBodyBytes;
        server->setLimits(limits);
        if (!m_options.tlsCertificateFile.isEmpty()) {
            if (Status tls = server->setTls(m_options.tlsCertificateFile, m_options.tlsKeyFile); !tls) {
                delete server;
                return StartFailure {ExitUsage, tls.error().message};
            }
        }
        OperatorApiSettings apiSettings;
        apiSettings.profile = m_options.profile;
        apiSettings.schema = m_options.ingestSettings.schema;
        apiSettings.conversion = m_options.ingestSettings.conversion;
        apiSettings.cacheTtl = m_options.cacheTtl;
        auto *api = new OperatorApi(apiSettings, m_localBackend.get(), m_metrics.get(), m_state.get(), server);
        std::optional<LocalCloudRoute> localCloudRoute;
        if (m_cloudHost)
            localCloudRoute.emplace(m_cloudHost->cloud());
        server->setHooks(makeHooks(m_options.cors));
        server->setHandler(makeHandler(localCloudRoute, api, m_options.access, m_options.cors));
        server->moveToThread(&m_httpThread);
        connect(&m_httpThread, &QThread::finished, server, &QObject::deleteLater);
        m_httpThread.start();
        m_server = server;

        bool listening = false;
        QString listenError;
        QMetaObject::invokeMethod(server, [&] {
            listening = server->listen(m_options.host, m_options.port);
            listenError = server->errorString();
            if (listening)
                api->start();
        }, Qt::BlockingQueuedConnection);
        if (!listening)
            return StartFailure {ExitFailure, u"cannot listen on %1:%2: %3"_s.arg(m_options.host.toString()).arg(m_options.port).arg(listenError)};
        const QString hostText = m_options.host.protocol() == QAbstractSocket::IPv6Protocol ? u"[%1]"_s.arg(m_options.host.toString())
                                                                                            : m_options.host.toString();
        m_endpoint = QUrl(u"%1://%2:%3"_s.arg(server->isTlsEnabled() ? u"https"_s : u"http"_s, hostText).arg(server->serverPort()));
        if (m_lock) {
            if (Status s = m_lock->setEndpoint(m_endpoint); !s)
                qCWarning(lcServeHost) << s.error().message;
        }

        // The ingest pipeline, on its own thread, reaching this process's local cloud in-process.
        if (m_options.ingest) {
            m_pipeline = std::make_unique<Pipeline::PipelineRunner>(m_options.profile, m_options.ingestSettings, m_localBackend.get(), m_metrics.get());
            connect(m_pipeline.get(), &Pipeline::PipelineRunner::started, this, [this] {
                m_state->setPipelineRunning(true);
                emit pipelineStarted(m_pipeline->description());
            });
            connect(m_pipeline.get(), &Pipeline::PipelineRunner::startFailed, this, &ServeHost::pipelineFailed);
            connect(m_pipeline.get(), &Pipeline::PipelineRunner::stopped, this, [this] {
                m_state->setPipelineRunning(false);
                finishRequests();
            });
            m_pipeline->start();
        }
        return std::nullopt;
    }

    void ServeHost::drain()
    {
        if (m_draining)
            return;
        m_draining = true;
        // /readyz turns false at once, so a load balancer stops sending.
        m_state->setDraining();
        if (m_pipeline && m_pipeline->isRunning())
            m_pipeline->stop();   // stopped() then finishes the requests
        else
            finishRequests();
    }

    // Stops accepting connections and waits (at most RequestDrainMs) for the requests being answered.
    void ServeHost::finishRequests()
    {
        HttpServer *server = m_server;
        if (!server) {
            emit finished();
            return;
        }
        QPointer<ServeHost> self(this);
        QMetaObject::invokeMethod(server, [server, self] {
            server->close();
            auto *timer = new QTimer(server);
            const qint64 deadline = QDateTime::currentMSecsSinceEpoch() + RequestDrainMs;
            QObject::connect(timer, &QTimer::timeout, server, [server, timer, deadline, self] {
                if (server->busyConnectionCount() > 0 && QDateTime::currentMSecsSinceEpoch() < deadline)
                    return;
                timer->stop();
                QMetaObject::invokeMethod(self, [self] {
                    if (self)
                        emit self->finished();
                }, Qt::QueuedConnection);
            });
            timer->start(20);
        }, Qt::QueuedConnection);
    }
}
