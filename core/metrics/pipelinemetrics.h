#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include <QByteArray>

#include "core/metrics/latencyrecorder.h"
#include "core/metrics/latencywindow.h"
#include "core/metrics/seriespoint.h"
#include "core/metrics/snapshot.h"
#include "core/metrics/stage.h"
#include "core/metrics/timeseriesring.h"

namespace Aq::Metrics
{
    // The pipeline's metrics, recorded at every hop and read by the HTTP API and the console.
    //
    // Producers (any thread, tens of thousands of calls a second) call add(), recordEndToEndLatency() and
    // setBacklog(): a coarse clock read and one to three relaxed atomic adds in the calling thread's own shard, no
    // lock and no allocation. Time is cut into whole seconds lazily: the first call (of either side) in a new second
    // rolls the finished one into the rings (tens of microseconds), under a lock that producers only try: when it
    // is taken, a later call rolls, and nothing is lost (counts are booked to the second in which the roll happens).
    //
    // Readers get totals, rates over the last RateWindowSeconds, latency quantiles over the last
    // LatencyWindowSeconds, and time series from three bounded rings: 1 s points for 15 minutes, 10 s points for
    // 6 hours and 1 min points for 24 hours (about 0.7 MB in all, whatever the uptime).
    class PipelineMetrics
    {
    public:
        // Milliseconds since the epoch. The default is the wall clock at construction advanced by the coarse
        // monotonic clock (exact to a few ms), so that the series never run backwards when the system clock is stepped.
        using Clock = std::function<qint64()>;

        static constexpr int RateWindowSeconds = 10;
        static constexpr int LatencyWindowSeconds = 60;

        explicit PipelineMetrics(Clock clock = {});
        Q_DISABLE_COPY_MOVE(PipelineMetrics)

        void add(Stage stage, qint64 count = 1);
        // Publish time to stored, one value per stored row; negative values (clock skew) count as 0.
        void recordEndToEndLatency(qint64 micros);
        // Messages waiting in the subscription; -1 unknown.
        void setBacklog(qint64 messages);

        Snapshot snapshot() const;
        // The last `windowSeconds` at the finest resolution whose ring covers them (60 and 900 -> 1 s,
        // 3600 -> 10 s, up to 86400 -> 1 min; longer windows are cut to 24 hours).
        Series series(int windowSeconds) const;
        QByteArray prometheusText() const;

        // The resolution series(windowSeconds) uses.
        static int resolutionFor(int windowSeconds);
        static int longestWindowSeconds();

    private:
        static constexpr int ShardCount = 8;

        // Each thread (round-robin) writes its own shard, so that producers on different cores never share a
        // cache line; readers sum the shards.
        struct alignas(64) Shard
        {
            std::array<std::atomic<qint64>, StageCount> totals {};
            std::atomic<qint64> latencyCount {0};
            std::atomic<qint64> latencySumMicros {0};
            LatencyRecorder latency;
        };

        qint64 now() const;
        Shard &localShard();
        StageCounts loadTotals() const;
        void maybeRoll(qint64 nowMs);
        void rollLocked(qint64 nowMs) const;

        Clock m_clock;
        qint64 m_startMs = 0;
        mutable std::array<Shard, ShardCount> m_shards {};
        std::atomic<qint64> m_backlog {-1};
        mutable std::atomic<qint64> m_currentSecond {0};

        // Guarded by m_mutex: the rolled-up past.
        mutable std::mutex m_mutex;
        mutable StageCounts m_rolledTotals {};
        mutable LatencyHistogram m_secondLatency;
        mutable LatencyWindow m_latencyWindow {LatencyWindowSeconds};
        mutable std::vector<TimeSeriesRing> m_rings;    // finest first
    };
}
