#pragma once

#include <QObject>
#include <QThread>

#include "core/common/result.h"
#include "core/config/connection.h"
#include "core/config/profile.h"
#include "core/pipeline/ingestsettings.h"

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Pipeline
{
    class IngestPipeline;

    // Runs the ingest pipeline on a thread of its own (DESIGN.md, Threads): opens the profile's connection there,
    // then the pipeline. `local` (for the local backend) and `metrics` must outlive the runner; the metrics are
    // read from other threads (they are thread-safe).
    class PipelineRunner final : public QObject
    {
        Q_OBJECT

    public:
        PipelineRunner(Config::Profile profile, IngestSettings settings, Config::LocalBackendAccess *local,
                       Metrics::PipelineMetrics *metrics, QObject *parent = nullptr);
        ~PipelineRunner() override;

        // started() once it ingests, or startFailed() with the reason.
        void start();
        // Drains (at most the settings' drain time), then stopped(). Safe to call before start() ends.
        void stop();
        bool isRunning() const { return m_running; }
        // "the local cloud in this process (...), project p": what it ingests from, once started.
        QString description() const { return m_description; }

    Q_SIGNALS:
        void started();
        void startFailed(const QString &message);
        void stopped();

    private:
        Config::Profile m_profile;
        IngestSettings m_settings;
        Config::LocalBackendAccess *m_local;
        Metrics::PipelineMetrics *m_metrics;
        QThread m_thread;
        QObject *m_worker = nullptr;                    // lives on m_thread
        std::unique_ptr<Config::Connection> m_connection;   // used on m_thread only
        IngestPipeline *m_pipeline = nullptr;           // on m_thread
        QString m_description;
        bool m_running = false;
        bool m_stopRequested = false;                   // on m_thread
    };
}
