#pragma once

#include <QByteArray>

#include "core/metrics/snapshot.h"

namespace Aq::Metrics
{
    // GET /metrics: the Prometheus text exposition format 0.0.4.
    //   aqueduct_messages_total{stage="published|pulled|inserted|dead_lettered|acked|nacked|retried|failed"}  counter
    //   aqueduct_backlog_messages                    gauge (left out while the backlog is unknown)
    //   aqueduct_end_to_end_latency_seconds          summary: quantile 0.5/0.95/0.99 over the snapshot's latency
    //                                                window (NaN when empty), _sum and _count since the start
    //   aqueduct_uptime_seconds                      gauge
    QByteArray formatPrometheusText(const Snapshot &snapshot);
    // The Content-Type to serve it with.
    QByteArray prometheusContentType();
}
