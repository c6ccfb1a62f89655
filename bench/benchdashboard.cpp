// The console's dashboard (ui/dashboard), offscreen at 1280x800 (QT_QPA_PLATFORM=offscreen unless set):
//  - decimation alone: decimateMinMax() of 3,600 points to the plot's pixel width, µs per series;
//  - one chart tick with 3,600 points per series (an hour at 1 s, as a remote server's /stats/series can give;
//    11 series in 4 charts), the series moving by a pixel column each tick: refresh() (fetch, decimate, one replace()
//    per series, axes), then the repaint the event loop does, then a grab() of the whole page (render); ms, median
//    and p95 over --ticks ticks. The same again with the 3,600 points replaced undecimated, for comparison;
//  - idle CPU with the dashboard open: the page shown for --idle-seconds per window (1 min, 15 min, 1 h) over a
//    PipelineMetrics with an hour of history, then fed about 1,000 msgs/s (with jitter) by a 10 Hz producer timer
//    in the same process; process CPU time (getrusage, user + system) / wall time, and how many redraws and
//    repaints that took.
//   benchdashboard [--ticks 200] [--idle-seconds 20] [--windows 60,900,3600]
// One JSON line on stdout.
#include <algorithm>
#include <atomic>
#include <random>
#include <cmath>
#include <cstdio>
#include <vector>

#include <QApplication>
#include <QChart>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPixmap>
#include <QTimer>
#include <QXYSeries>

#include "core/metrics/pipelinemetrics.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/dashboard/decimation.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/dashboard/timeserieschart.h"

#include "processcpu.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;
using namespace Aq::Ui;

namespace
{
    constexpr qint64 StartMs = 1'700'000'040'000;
    constexpr int HourPoints = 3600;
    const QSize PageSize {1280, 800};

    // An hour at 1 s resolution that moves on by `step` seconds per advance().
    class MovingHourFeed final : public MetricsFeed
    {
    public:
        MovingHourFeed(int advances, int step)
            : m_step {step}
        {
            const int count = HourPoints + advances * step;
            m_points.reserve(count);
            for (int i = 0; i < count; ++i) {
                SeriesPoint point;
                point.timeMs = StartMs + qint64(i) * 1000;
                const double wave = 1200 + 250 * std::sin(i / 240.0) + 60 * std::sin(i * 0.7);
                for (const Stage stage : AllStages)
                    point.counts[size_t(stage)] = qint64(stage == Stage::DeadLettered || stage == Stage::Failed ? (i * 7) % 13 : wave + (i * 31) % 50);
                point.latencyCount = 1000;
                point.latencyP50Micros = 30'000 + (i * 37) % 5000;
                point.latencyP95Micros = 60'000 + (i * 53) % 20'000;
                point.latencyP99Micros = 90'000 + (i * 71) % 40'000;
                point.backlog = 200 + (i * 13) % 400;
                m_points.append(point);
            }
        }

        void advance()
        {
            m_offset = qMin<qsizetype>(m_offset + m_step, m_points.size() - HourPoints);
        }

        Snapshot snapshot() override
        {
            Snapshot snapshot;
            snapshot.startTimeMs = StartMs;
            snapshot.timeMs = m_points[m_offset + HourPoints - 1].timeMs + 1000;
            snapshot.rateWindowSeconds = 10;
            snapshot.latencyWindowSeconds = 60;
            return snapshot;
        }

        Series series(int windowSeconds) override
        {
            Series series;
            series.windowSeconds = windowSeconds;
            series.resolutionSeconds = 1;
            const qsizetype count = qMin<qsizetype>(windowSeconds, HourPoints);
            series.points = m_points.mid(m_offset + HourPoints - count, count);
            return series;
        }

    private:
        int m_step;
        QList<SeriesPoint> m_points;
        qsizetype m_offset = 0;
    };

    // Paint events of the charts' viewports: what the event loop really drew.
    class PaintCounter final : public QObject
    {
    public:
        int paints = 0;

    protected:
        bool eventFilter(QObject *watched, QEvent *event) override
        {
            if (event->type() == QEvent::Paint)
                ++paints;
            return QObject::eventFilter(watched, event);
        }
    };

    double percentile(std::vector<double> values, double q)
    {
        std::sort(values.begin(), values.end());
        return values[std::min(values.size() - 1, size_t(q * double(values.size())))];
    }

    double msSince(QElapsedTimer &timer)
    {
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        timer.restart();
        return ms;
    }

    void runEventLoop(int milliseconds)
    {
        QEventLoop loop;
        QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
        loop.exec();
    }

    struct TickCost
    {
        std::vector<double> refreshMs;
        std::vector<double> repaintMs;
        std::vector<double> grabMs;
        int seriesPoints = 0;    // points in the published series after the last tick
        int paints = 0;
    };

    void installPaintCounter(DashboardPage &page, PaintCounter &counter)
    {
        for (TimeSeriesChart *chart : page.charts())
            chart->viewport()->installEventFilter(&counter);
    }

    // Ticks of the page as the timer runs them, plus a grab(); `decimated` false: the same with every point drawn.
    // Each tick the hour moves by a pixel column's worth of seconds (the page waits for that much), so that every
    // tick redraws.
    TickCost measureTicks(int ticks, bool decimated, int columns)
    {
        MovingHourFeed feed(ticks + 1, (HourPoints + columns - 1) / columns);
        DashboardPage page(&feed);
        page.setRefreshIntervalMs(3600 * 1000);    // the bench ticks by hand
        page.setWindowSeconds(3600);
        page.resize(PageSize);
        page.show();
        runEventLoop(200);
        for (TimeSeriesChart *chart : page.charts())
            chart->setDecimation(decimated ? TimeSeriesChart::Decimation::MinMaxPerPixel : TimeSeriesChart::Decimation::None);
        PaintCounter counter;
        installPaintCounter(page, counter);

        TickCost cost;
        QElapsedTimer timer;
        for (int i = 0; i < ticks; ++i) {
            feed.advance();
            timer.start();
            if (!page.refresh())
                qFatal("benchdashboard: a tick did not redraw");
            cost.refreshMs.push_back(msSince(timer));
            QCoreApplication::processEvents();
            cost.repaintMs.push_back(msSince(timer));
            const QPixmap picture = page.grab();
            cost.grabMs.push_back(msSince(timer));
            if (picture.isNull())
                qFatal("benchdashboard: grab() gave nothing");
        }
        cost.seriesPoints = int(page.charts().front()->lineSeries(0)->count());
        cost.paints = counter.paints;
        return cost;
    }

    double decimationUs(int columns)
    {
        QList<QPointF> points;
        for (int i = 0; i < HourPoints; ++i)
            points.append({double(StartMs + qint64(i) * 1000), 1000 + 300 * std::sin(i / 50.0) + (i * 31) % 50});
        constexpr int Rounds = 20000;
        std::vector<double> runs;
        qsizetype sink = 0;
        for (int run = 0; run < 5; ++run) {
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < Rounds; ++i)
                sink += decimateMinMax(points, points.front().x() - 1000, points.back().x(), columns).size();
            runs.push_back(double(timer.nsecsElapsed()) / 1000 / Rounds);
        }
        return sink < 0 ? 0 : percentile(runs, 0.5);
    }

    struct IdleCost
    {
        int windowSeconds = 0;
        double cpuPercent = 0;
        int redraws = 0;
        int paints = 0;
    };

    IdleCost measureIdle(int windowSeconds, int seconds)
    {
        // A steady pipeline with the jitter of a real one: about 1,000 msgs/s through every stage, a few dead letters,
        // latencies around 30 ms, a backlog around 150 (a fixed seed). The clock is the real one, after an hour of
        // such history written in fast-forward, so that every window is full.
        std::atomic<qint64> offsetMs {-3600 * 1000};
        PipelineMetrics metrics([&offsetMs] { return QDateTime::currentMSecsSinceEpoch() + offsetMs.load(); });
        std::mt19937 random(11);
        const auto produce = [&metrics, &random](int batches) {
            for (int b = 0; b < batches; ++b) {
                const qint64 batch = 90 + qint64(random() % 21);
                const qint64 deadLettered = random() % 10 == 0 ? 1 : 0;
                metrics.add(Stage::Published, batch);
                metrics.add(Stage::Pulled, batch);
                metrics.add(Stage::Inserted, batch - deadLettered);
                metrics.add(Stage::DeadLettered, deadLettered);
                metrics.add(Stage::Acked, batch);
                for (qint64 i = 0; i < batch; i += 10)
                    metrics.recordEndToEndLatency(20'000 + qint64(random() % 20'000));
                metrics.setBacklog(100 + qint64(random() % 100));
            }
        };
        for (int s = 0; s < 3600; ++s) {
            produce(10);
            offsetMs += 1000;
        }
        offsetMs = 0;
        // Then 10 batches a second, as they arrive.
        QTimer producer;
        producer.setInterval(100);
        QObject::connect(&producer, &QTimer::timeout, &producer, [&produce] { produce(1); });
        producer.start();
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.setWindowSeconds(windowSeconds);
        page.resize(PageSize);
        page.show();
        runEventLoop(1500);      // first layout and paint, not idle yet
        PaintCounter counter;
        installPaintCounter(page, counter);
        int redraws = 0;
        QXYSeries *published = page.charts().front()->lineSeries(0);
        QObject::connect(published, &QXYSeries::pointsReplaced, published, [&redraws] { ++redraws; });

        QElapsedTimer wall;
        const double cpuStart = processCpuSeconds();
        wall.start();
        runEventLoop(seconds * 1000);
        const double cpu = processCpuSeconds() - cpuStart;
        const double elapsed = double(wall.nsecsElapsed()) / 1e9;
        return {windowSeconds, 100 * cpu / elapsed, redraws, counter.paints};
    }
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption ticksOption(u"ticks"_s, u"Chart ticks to time."_s, u"n"_s, u"200"_s);
    const QCommandLineOption idleOption(u"idle-seconds"_s, u"Seconds of idle measurement per window."_s, u"n"_s, u"20"_s);
    const QCommandLineOption windowsOption(u"windows"_s, u"Windows (s) of the idle measurement, comma-separated."_s, u"list"_s, u"60,900,3600"_s);
    parser.addOptions({ticksOption, idleOption, windowsOption});
    parser.process(app);
    const int ticks = qMax(1, parser.value(ticksOption).toInt());
    const int idleSeconds = qMax(1, parser.value(idleOption).toInt());

    // The plot width the page has at 1280x800 with an hour drawn (the value labels take their share), for the
    // decimation alone and for how far the ticks move.
    int columns = 0;
    {
        MovingHourFeed feed(1, 1);
        DashboardPage page(&feed);
        page.setWindowSeconds(3600);
        page.resize(PageSize);
        page.show();
        runEventLoop(200);
        page.refresh();
        runEventLoop(200);
        columns = page.charts().front()->pixelColumns();
    }

    const double decimateUs = decimationUs(columns);
    const TickCost decimated = measureTicks(ticks, true, columns);
    const TickCost raw = measureTicks(ticks, false, columns);
    std::vector<IdleCost> idle;
    for (const QString &window : parser.value(windowsOption).split(u',', Qt::SkipEmptyParts))
        idle.push_back(measureIdle(window.toInt(), idleSeconds));

    const auto sum = [](const TickCost &cost, size_t i) { return cost.refreshMs[i] + cost.repaintMs[i] + cost.grabMs[i]; };
    std::vector<double> decimatedTotal;
    std::vector<double> rawTotal;
    for (int i = 0; i < ticks; ++i) {
        decimatedTotal.push_back(sum(decimated, size_t(i)));
        rawTotal.push_back(sum(raw, size_t(i)));
    }
    printf("{\"platform\":\"%s\",\"page\":\"1280x800\",\"plot_columns\":%d,\"series\":11,\"points_per_series\":%d,\"ticks\":%d,"
           "\"decimate_3600_us\":%.1f,"
           "\"tick_refresh_ms_p50\":%.2f,\"tick_refresh_ms_p95\":%.2f,\"tick_repaint_ms_p50\":%.2f,\"tick_repaint_ms_p95\":%.2f,"
           "\"tick_grab_ms_p50\":%.2f,\"tick_grab_ms_p95\":%.2f,\"tick_total_ms_p50\":%.2f,\"tick_total_ms_p95\":%.2f,"
           "\"drawn_points_per_series\":%d,\"chart_paints\":%d,"
           "\"raw_replace_ms_p50\":%.2f,\"raw_repaint_ms_p50\":%.2f,\"raw_grab_ms_p50\":%.2f,\"raw_total_ms_p50\":%.2f,\"raw_total_ms_p95\":%.2f,"
           "\"idle_seconds\":%d",
           qPrintable(QGuiApplication::platformName()), columns, HourPoints, ticks, decimateUs,
           percentile(decimated.refreshMs, 0.5), percentile(decimated.refreshMs, 0.95),
           percentile(decimated.repaintMs, 0.5), percentile(decimated.repaintMs, 0.95),
           percentile(decimated.grabMs, 0.5), percentile(decimated.grabMs, 0.95),
           percentile(decimatedTotal, 0.5), percentile(decimatedTotal, 0.95), decimated.seriesPoints, decimated.paints,
           percentile(raw.refreshMs, 0.5), percentile(raw.repaintMs, 0.5), percentile(raw.grabMs, 0.5),
           percentile(rawTotal, 0.5), percentile(rawTotal, 0.95), idleSeconds);
    for (const IdleCost &cost : idle)
        printf(",\"idle_cpu_percent_%ds\":%.2f,\"idle_redraws_%ds\":%d,\"idle_chart_paints_%ds\":%d", cost.windowSeconds, cost.cpuPercent,
               cost.windowSeconds, cost.redraws, cost.windowSeconds, cost.paints);
    printf("}\n");
    return 0;
}
