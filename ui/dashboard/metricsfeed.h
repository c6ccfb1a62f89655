#pragma once

#include "core/metrics/seriespoint.h"
#include "core/metrics/snapshot.h"

namespace Aq::Metrics
{
    class PipelineMetrics;
}

namespace Aq::Ui
{
    // Where the dashboard reads the pipeline's metrics: the pipeline in this process, or an `aqueduct serve` over
    // its /stats and /stats/series. The page calls both on the UI thread a few times a second, so they must not
    // block: a remote feed answers with the copy it fetched last (and may start the next fetch from here).
    class MetricsFeed
    {
    public:
        virtual ~MetricsFeed();

        virtual Metrics::Snapshot snapshot() = 0;
        // The last `windowSeconds` (60, 900 or 3600), whole periods, oldest first.
        virtual Metrics::Series series(int windowSeconds) = 0;
    };

    // The pipeline metrics of this process (PipelineMetrics is thread-safe; its readers take a short lock).
    class LocalMetricsFeed final : public MetricsFeed
    {
    public:
        // `metrics` must outlive the feed.
        explicit LocalMetricsFeed(const Metrics::PipelineMetrics *metrics);

        Metrics::Snapshot snapshot() override;
        Metrics::Series series(int windowSeconds) override;

    private:
        const Metrics::PipelineMetrics *m_metrics;
    };
}
