#include "core/pipeline/pipelinerunner.h"

#include "core/pipeline/ingestpipeline.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Pipeline
{
    PipelineRunner::PipelineRunner(Config::Profile profile, IngestSettings settings, Config::LocalBackendAccess *local,
                                   Metrics::PipelineMetrics *metrics, QObject *parent)
        : QObject(parent)
        , m_profile {std::move(profile)}
        , m_settings {std::move(settings)}
        , m_local {local}
        , m_metrics {metrics}
    {
        m_thread.setObjectName(u"pipeline"_s);
        m_worker = new QObject;
        m_worker->moveToThread(&m_thread);
        connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
        m_thread.start();
    }

    PipelineRunner::~PipelineRunner()
    {
        // Whatever lives on the pipeline thread is destroyed there.
        QMetaObject::invokeMethod(m_worker, [this] {
            delete m_pipeline;
            m_pipeline = nullptr;
            m_connection.reset();
        }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    void PipelineRunner::start()
    {
        QMetaObject::invokeMethod(m_worker, [this] {
            Config::Connection::open(m_profile, m_local, m_worker, [this](Result<std::unique_ptr<Config::Connection>> connection) {
                if (m_stopRequested)
                    return;   // stop() came first and has answered
                if (!connection) {
                    const QString message = connection.error().message;
                    QMetaObject::invokeMethod(this, [this, message] { Q_EMIT startFailed(message); });
                    return;
                }
                m_connection = std::move(*connection);
                const QString description = m_connection->describe();
                m_pipeline = new IngestPipeline(m_connection->pubsub(), m_connection->bigquery(), m_settings, m_metrics, m_worker);
                connect(m_pipeline, &IngestPipeline::stateChanged, m_worker, [this, description](IngestPipeline::State state) {
                    if (state == IngestPipeline::State::Running) {
                        QMetaObject::invokeMethod(this, [this, description] {
                            m_running = true;
                            m_description = description;
                            Q_EMIT started();
                        });
                    } else if (state == IngestPipeline::State::Failed) {
                        const QString message = m_pipeline->lastError().message;
                        QMetaObject::invokeMethod(this, [this, message] { Q_EMIT startFailed(message); });
                    }
                });
                connect(m_pipeline, &IngestPipeline::stopped, m_worker, [this] {
                    QMetaObject::invokeMethod(this, [this] {
                        m_running = false;
                        Q_EMIT stopped();
                    });
                });
                m_pipeline->start();
            });
        });
    }

    void PipelineRunner::stop()
    {
        QMetaObject::invokeMethod(m_worker, [this] {
            m_stopRequested = true;
            if (m_pipeline) {
                m_pipeline->stop();
                return;
            }
            QMetaObject::invokeMethod(this, [this] { Q_EMIT stopped(); });
        });
    }
}
