#pragma once

#include <map>

#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>

#include "core/common/apierror.h"
#include "ui/dashboard/metricsfeed.h"

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Ui
{
    // The metrics of a remote `aqueduct serve`, over its GET /stats and GET /stats/series. Never blocks: each call
    // answers with the copy fetched last and, when that copy is older than its period (1 s for the snapshot and
    // the 1-minute series, longer for the coarser series) and no fetch is on its way, starts the next fetch.
    // Until the first answer the snapshot is empty and the series have no points.
    class RemoteMetricsFeed final : public QObject, public MetricsFeed
    {
        Q_OBJECT

    public:
        // `client` must outlive the feed.
        explicit RemoteMetricsFeed(Remote::OperatorClient *client, QObject *parent = nullptr);

        Metrics::Snapshot snapshot() override;
        Metrics::Series series(int windowSeconds) override;

        // Whether the last fetch failed, and why; empty once one succeeds again.
        QString lastError() const { return m_lastError; }
        bool hasAnswered() const { return m_answered; }

    Q_SIGNALS:
        // A fetch came back (with new figures, or with an error).
        void updated();

    private:
        struct Cached
        {
            QDeadlineTimer stale;   // expired: fetch again
            bool fetching = false;
        };

        void fetchSnapshot();
        void fetchSeries(int windowSeconds);
        void noteError(const ApiError &error);

        Remote::OperatorClient *m_client;
        Metrics::Snapshot m_snapshot;
        Cached m_snapshotState;
        std::map<int, Metrics::Series> m_series;
        std::map<int, Cached> m_seriesState;
        QString m_lastError;
        bool m_answered = false;
    };
}
