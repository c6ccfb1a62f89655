#include "ui/dashboard/metricsfeed.h"

#include "core/metrics/pipelinemetrics.h"

namespace Aq::Ui
{
    MetricsFeed::~MetricsFeed() = default;

    LocalMetricsFeed::LocalMetricsFeed(const Metrics::PipelineMetrics *metrics)
        : m_metrics {metrics}
    {
        Q_ASSERT(m_metrics);
    }

    Metrics::Snapshot LocalMetricsFeed::snapshot()
    {
        return m_metrics->snapshot();
    }

    Metrics::Series LocalMetricsFeed::series(int windowSeconds)
    {
        return m_metrics->series(windowSeconds);
    }
}
