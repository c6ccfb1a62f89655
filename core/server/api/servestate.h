#pragma once

#include <atomic>

#include <QJsonObject>

namespace Aq::Server
{
    // What /readyz reports, written by the serve command's threads and read by the HTTP thread.
    class ServeState
    {
    public:
        void setIngestEnabled(bool enabled) { m_ingestEnabled = enabled; }
        void setPipelineRunning(bool running) { m_pipelineRunning = running; }
        void setApiConnected(bool connected) { m_apiConnected = connected; }
        void setBackendReachable(bool reachable) { m_backendReachable = reachable; }
        void setDraining() { m_draining = true; }

        bool isDraining() const { return m_draining; }
        bool isPipelineRunning() const { return m_pipelineRunning; }
        // Backends reachable, pipeline running (when ingesting), not draining.
        bool isReady() const
        {
            return m_apiConnected && m_backendReachable && (!m_ingestEnabled || m_pipelineRunning) && !m_draining;
        }
        QJsonObject toJson() const
        {
            return QJsonObject {
                {QStringLiteral("ready"), isReady()},
                {QStringLiteral("draining"), bool(m_draining)},
                {QStringLiteral("backends"), m_apiConnected && m_backendReachable ? QStringLiteral("reachable") : QStringLiteral("unreachable")},
                {QStringLiteral("pipeline"), !m_ingestEnabled ? QStringLiteral("disabled")
                                                               : (m_pipelineRunning ? QStringLiteral("running") : QStringLiteral("stopped"))},
            };
        }

    private:
        std::atomic<bool> m_ingestEnabled {false};
        std::atomic<bool> m_pipelineRunning {false};
        std::atomic<bool> m_apiConnected {false};
        std::atomic<bool> m_backendReachable {false};
        std::atomic<bool> m_draining {false};
    };
}
