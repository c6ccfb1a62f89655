#include "core/metrics/metricsjson.h"

#include <cmath>

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Metrics
{
    namespace
    {
        // Three decimals: microseconds for the ms values, and no 33.333333333333336 msgs/s.
        double rounded(double value)
        {
            return std::round(value * 1000) / 1000;
        }

        QJsonValue milliseconds(double micros, bool present)
        {
            if (!present || std::isnan(micros))
                return QJsonValue::Null;
            return rounded(micros / 1000);
        }

        QJsonValue backlogValue(qint64 backlog)
        {
            return backlog >= 0 ? QJsonValue(backlog) : QJsonValue(QJsonValue::Null);
        }
    }

    QJsonObject toJson(const Snapshot &snapshot)
    {
        QJsonObject totals;
        QJsonObject rates;
        for (const Stage stage : AllStages) {
            totals.insert(stageJsonKey(stage), snapshot.total(stage));
            rates.insert(stageJsonKey(stage), rounded(snapshot.rate(stage)));
        }
        const bool anyInWindow = snapshot.latencyWindowCount > 0;
        const QJsonObject latency {
            {u"windowSeconds"_s, snapshot.latencyWindowSeconds},
            {u"count"_s, qint64(snapshot.latencyWindowCount)},
            {u"p50Ms"_s, milliseconds(snapshot.latencyP50Micros, anyInWindow)},
            {u"p95Ms"_s, milliseconds(snapshot.latencyP95Micros, anyInWindow)},
            {u"p99Ms"_s, milliseconds(snapshot.latencyP99Micros, anyInWindow)},
            {u"lifetimeCount"_s, qint64(snapshot.latencyCount)},
            {u"lifetimeMeanMs"_s,
             milliseconds(snapshot.latencyCount ? double(snapshot.latencySumMicros) / double(snapshot.latencyCount) : 0,
                          snapshot.latencyCount > 0)},
        };
        return {
            {u"timeMs"_s, snapshot.timeMs},
            {u"startTimeMs"_s, snapshot.startTimeMs},
            {u"uptimeSeconds"_s, rounded(double(snapshot.uptimeMs()) / 1000)},
            {u"totals"_s, totals},
            {u"rates"_s, rates},
            {u"rateWindowSeconds"_s, snapshot.rateWindowSeconds},
            {u"latency"_s, latency},
            {u"backlog"_s, backlogValue(snapshot.backlog)},
        };
    }

    QJsonObject seriesToJson(const Series &series)
    {
        const double resolution = qMax(1, series.resolutionSeconds);
        QJsonArray points;
        for (const SeriesPoint &point : series.points) {
            QJsonObject object {{u"t"_s, point.timeMs}};
            for (const Stage stage : AllStages)
                object.insert(stageJsonKey(stage), rounded(double(point.counts[size_t(stage)]) / resolution));
            const bool anyLatency = point.latencyCount > 0;
            object.insert(u"p50Ms"_s, milliseconds(point.latencyP50Micros, anyLatency));
            object.insert(u"p95Ms"_s, milliseconds(point.latencyP95Micros, anyLatency));
            object.insert(u"p99Ms"_s, milliseconds(point.latencyP99Micros, anyLatency));
            object.insert(u"backlog"_s, backlogValue(point.backlog));
            points.append(object);
        }
        return {
            {u"window"_s, series.windowSeconds},
            {u"resolutionSeconds"_s, series.resolutionSeconds},
            {u"points"_s, points},
        };
    }
}
