#include "ui/dashboard/remotemetricsfeed.h"

#include <QJsonObject>

#include "core/remote/operatorclient.h"
#include "ui/dashboard/metricsjsonreader.h"

namespace Aq::Ui
{
    namespace
    {
        constexpr qint64 SnapshotPeriodMs = 1000;

        // A series changes once per resolution step; one fetch per step (at most every 10 s) keeps it current.
        qint64 seriesPeriodMs(int windowSeconds)
        {
            if (windowSeconds <= 60)
                return 1000;
            return windowSeconds <= 900 ? 5000 : 10000;
        }
    }

    RemoteMetricsFeed::RemoteMetricsFeed(Remote::OperatorClient *client, QObject *parent)
        : QObject(parent)
        , m_client {client}
    {
        Q_ASSERT(m_client);
        m_snapshotState.stale = QDeadlineTimer(0);
    }

    Metrics::Snapshot RemoteMetricsFeed::snapshot()
    {
        if (!m_snapshotState.fetching && m_snapshotState.stale.hasExpired())
            fetchSnapshot();
        return m_snapshot;
    }

    Metrics::Series RemoteMetricsFeed::series(int windowSeconds)
    {
        Cached &state = m_seriesState[windowSeconds];
        if (!state.fetching && state.stale.hasExpired())
            fetchSeries(windowSeconds);
        if (const auto found = m_series.find(windowSeconds); found != m_series.end())
            return found->second;
        Metrics::Series empty;
        empty.windowSeconds = windowSeconds;
        return empty;
    }

    void RemoteMetricsFeed::fetchSnapshot()
    {
        m_snapshotState.fetching = true;
        m_client->stats(this, [this](Result<QJsonObject> json) {
            m_snapshotState.fetching = false;
            m_snapshotState.stale = QDeadlineTimer(SnapshotPeriodMs);
            if (!json) {
                noteError(json.error());
                return;
            }
            m_snapshot = snapshotFromJson(*json);
            m_lastError.clear();
            m_answered = true;
            emit updated();
        });
    }

    void RemoteMetricsFeed::fetchSeries(int windowSeconds)
    {
        m_seriesState[windowSeconds].fetching = true;
        m_client->series(windowSeconds, this, [this, windowSeconds](Result<QJsonObject> json) {
            Cached &state = m_seriesState[windowSeconds];
            state.fetching = false;
            state.stale = QDeadlineTimer(seriesPeriodMs(windowSeconds));
            if (!json) {
                noteError(json.error());
                return;
            }
            m_series[windowSeconds] = seriesFromJson(*json);
            emit updated();
        });
    }

    void RemoteMetricsFeed::noteError(const ApiError &error)
    {
        m_lastError = error.message;
        emit updated();
    }
}
