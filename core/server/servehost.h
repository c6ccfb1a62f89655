#pragma once

#include <memory>
#include <optional>

#include <QObject>
#include <QThread>
#include <QUrl>

#include "core/server/servecommand.h"

namespace Aq::LocalCloud
{
    class DataFolderLock;
    class LocalBackend;
    class LocalCloudHost;
}

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Pipeline
{
    class PipelineRunner;
}

namespace Aq::Server
{
    class HttpServer;
    class ServeState;

    // What `serve` runs, as an object the desktop console runs too: the data folder and its local cloud (when a
    // service is local), the HTTP listener (operator API + local cloud routes) on its own thread, and the ingest
    // pipeline on its own. Lives on the main thread.
    //
    //     ServeHost host(options);
    //     if (const auto failure = host.start())
    //         return failure->exitCode;
    //     QObject::connect(&host, &ServeHost::finished, qApp, &QCoreApplication::quit);
    class ServeHost final : public QObject
    {
        Q_OBJECT

    public:
        struct StartFailure
        {
            int exitCode = ExitFailure;
            QString message;
        };

        explicit ServeHost(ServeOptions options, QObject *parent = nullptr);
        ~ServeHost() override;

        // The data folder, the local cloud and the listener, at once; the pipeline then starts in the background
        // (pipelineStarted or pipelineFailed).
        std::optional<StartFailure> start();
        // /readyz turns false; the pipeline stops pulling and stores and acknowledges what it holds; the listener
        // closes and requests in flight finish (at most a moment); then finished().
        void drain();

        const ServeOptions &options() const { return m_options; }
        QUrl endpoint() const { return m_endpoint; }
        bool hostsLocalCloud() const;
        Metrics::PipelineMetrics *metrics() const { return m_metrics.get(); }
        ServeState *state() const { return m_state.get(); }
        // How this process reaches its own local cloud (in-process); null when no service is local.
        LocalCloud::LocalBackend *localBackend() const { return m_localBackend.get(); }
        Pipeline::PipelineRunner *pipeline() const { return m_pipeline.get(); }

    Q_SIGNALS:
        void pipelineStarted(const QString &description);
        void pipelineFailed(const QString &message);
        void finished();

    private:
        void finishRequests();

        ServeOptions m_options;
        std::unique_ptr<LocalCloud::DataFolderLock> m_lock;
        std::unique_ptr<LocalCloud::LocalCloudHost> m_cloudHost;
        std::unique_ptr<LocalCloud::LocalBackend> m_localBackend;
        std::unique_ptr<Metrics::PipelineMetrics> m_metrics;
        std::unique_ptr<ServeState> m_state;
        QThread m_httpThread;
        HttpServer *m_server = nullptr;   // lives on m_httpThread
        std::unique_ptr<Pipeline::PipelineRunner> m_pipeline;
        QUrl m_endpoint;
        bool m_draining = false;
    };
}
