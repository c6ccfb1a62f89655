#include <atomic>
#include <cmath>
#include <random>

#include <QAbstractButton>
#include <QChart>
#include <QDateTimeAxis>
#include <QLabel>
#include <QStackedWidget>
#include <QValueAxis>
#include <QXYSeries>
#include <QtTest>

#include "core/metrics/pipelinemetrics.h"
#include "ui/dashboard/dashboardpage.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/dashboard/statcard.h"
#include "ui/dashboard/timeserieschart.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;
using namespace Aq::Ui;

namespace
{
    constexpr qint64 StartMs = 1'700'000'040'000;   // a whole minute
    constexpr QSize PageSize {1280, 800};

    // Counts the replace() calls of every line of a page.
    class ReplaceCounter
    {
    public:
        explicit ReplaceCounter(const DashboardPage &page)
        {
            for (TimeSeriesChart *chart : page.charts()) {
                for (int i = 0; i < chart->lineCount(); ++i) {
                    QXYSeries *series = chart->lineSeries(i);
                    m_counts.insert(series, 0);
                    QObject::connect(series, &QXYSeries::pointsReplaced, series, [this, series] { ++m_counts[series]; });
                }
            }
        }

        int total() const
        {
            int sum = 0;
            for (const int count : m_counts)
                sum += count;
            return sum;
        }

        // Whether every line was replaced exactly `times` times.
        bool each(int times) const
        {
            for (const int count : m_counts) {
                if (count != times)
                    return false;
            }
            return true;
        }

        int lineCount() const
        {
            return int(m_counts.size());
        }

        void reset()
        {
            for (int &count : m_counts)
                count = 0;
        }

    private:
        QHash<QXYSeries *, int> m_counts;
    };

    // A remote-like feed: an hour at 1 s resolution (3,600 points), which PipelineMetrics only gives at 10 s.
    class HourAtOneSecondFeed final : public MetricsFeed
    {
    public:
        Snapshot snapshot() override
        {
            Snapshot snapshot;
            snapshot.timeMs = StartMs + 3600'000;
            snapshot.startTimeMs = StartMs;
            return snapshot;
        }

        Series series(int windowSeconds) override
        {
            Series series;
            series.windowSeconds = windowSeconds;
            series.resolutionSeconds = 1;
            std::mt19937 random(3);
            std::uniform_int_distribution<int> noise(0, 40);
            for (int i = 3600 - windowSeconds; i < 3600; ++i) {
                SeriesPoint point;
                point.timeMs = StartMs + qint64(i) * 1000;
                point.counts[size_t(Stage::Published)] = i == 1234 ? 5000 : 1000 + noise(random);
                point.latencyCount = 1;
                point.latencyP50Micros = 20'000;
                point.latencyP99Micros = 80'000;
                point.backlog = 100 + i % 50;
                series.points.append(point);
            }
            return series;
        }
    };

    StatCard *card(const DashboardPage &page, int index)
    {
        return page.findChildren<StatCard *>().at(index);
    }

    // Roughly Fusion's dark palette, as a desktop in dark mode gives it.
    QPalette darkPalette()
    {
        QPalette palette;
        palette.setColor(QPalette::Window, QColor(0x1f, 0x20, 0x24));
        palette.setColor(QPalette::WindowText, QColor(0xe4, 0xe5, 0xe7));
        palette.setColor(QPalette::Base, QColor(0x18, 0x1b, 0x1f));
        palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2d));
        palette.setColor(QPalette::Text, QColor(0xe4, 0xe5, 0xe7));
        palette.setColor(QPalette::Button, QColor(0x2b, 0x2d, 0x33));
        palette.setColor(QPalette::ButtonText, QColor(0xe4, 0xe5, 0xe7));
        palette.setColor(QPalette::Mid, QColor(0x3a, 0x3d, 0x44));
        palette.setColor(QPalette::Highlight, QColor(0x3d, 0x71, 0xd9));
        palette.setColor(QPalette::HighlightedText, Qt::white);
        return palette;
    }

    double lastY(QXYSeries *series)
    {
        return series->points().isEmpty() ? std::nan("") : series->points().back().y();
    }

    qint64 timeAxisSpanMs(TimeSeriesChart *chart)
    {
        return chart->timeAxis()->min().msecsTo(chart->timeAxis()->max());
    }
}

class TestDashboardPage final : public QObject
{
    Q_OBJECT

private:
    std::atomic<qint64> m_nowMs {StartMs};

    PipelineMetrics::Clock clock()
    {
        return [this] { return m_nowMs.load(); };
    }

    // `seconds` of steady traffic: 100 published and pulled, 95 inserted, 5 dead-lettered, 2 failed a second;
    // latencies of 20 ms (p50) and 60 ms (p99); a backlog of 40.
    void steadyTraffic(PipelineMetrics &metrics, int seconds)
    {
        for (int s = 0; s < seconds; ++s) {
            metrics.add(Stage::Published, 100);
            metrics.add(Stage::Pulled, 100);
            metrics.add(Stage::Inserted, 95);
            metrics.add(Stage::DeadLettered, 5);
            metrics.add(Stage::Failed, 2);
            for (int i = 0; i < 95; ++i)
                metrics.recordEndToEndLatency(i < 94 ? 20'000 : 60'000);
            metrics.setBacklog(40);
            m_nowMs += 1000;
        }
    }

    // An hour of traffic that looks like a real one: a slow wave, noise, and an incident (a bad producer deploy at
    // minute 51: a minute of dead letters, insert failures and retries, the pipeline slows down, the backlog and
    // latency rise, then it catches up).
    void realisticHour(PipelineMetrics &metrics)
    {
        std::mt19937 random(2026);
        std::normal_distribution<double> noise(0, 1);
        double queued = 0;
        for (int s = 0; s < 3600; ++s) {
            const bool incident = s >= 3060 && s < 3120;
            const double wave = 1150 + 260 * std::sin(s * 2 * M_PI / 1500) + 90 * std::sin(s * 2 * M_PI / 97);
            const qint64 published = qMax<qint64>(0, std::llround(wave + 35 * noise(random)));
            const double capacity = incident ? 1150 : 1600;
            const qint64 pulled = qMin<qint64>(std::llround(queued + published), std::llround(capacity + 30 * noise(random)));
            queued = qMax(0.0, queued + double(published - pulled));
            const qint64 deadLettered = incident ? qMax<qint64>(0, std::llround(38 + 6 * noise(random)))
                                                 : (random() % 100 < 7 ? qint64(1 + random() % 3) : 0);
            const qint64 failed = incident ? qMax<qint64>(0, std::llround(22 + 5 * noise(random))) : (random() % 500 == 0 ? 4 : 0);
            metrics.add(Stage::Published, published);
            metrics.add(Stage::Pulled, pulled);
            metrics.add(Stage::Inserted, qMax<qint64>(0, pulled - deadLettered));
            metrics.add(Stage::Acked, pulled);
            metrics.add(Stage::DeadLettered, deadLettered);
            metrics.add(Stage::Failed, failed);
            metrics.add(Stage::Retried, failed * 3 / 4);     // not every failure is retried
            metrics.add(Stage::Nacked, incident ? qint64(random() % 6) : 0);
            // 200 latency samples a second stand for the second's rows (the quantiles only need the shape); a row
            // waits behind the queue.
            const double median = 34 + 4 * std::sin(s / 40.0) + queued * 0.6;
            for (int i = 0; i < 200; ++i)
                metrics.recordEndToEndLatency(qint64(median * std::exp(0.4 * noise(random)) * 1000));
            // The backlog also counts the messages being worked on (leased, not yet acknowledged).
            metrics.setBacklog(qint64(queued + 180 + 40 * std::sin(s / 25.0)));
            m_nowMs += 1000;
        }
    }

private slots:
    void initTestCase()
    {
        // Away from UTC (and without summer time), so that showing UTC is a visible change.
        qputenv("TZ", "Asia/Kolkata");
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void init()
    {
        m_nowMs = StartMs;
    }

    void testSeriesAndFiguresFollowTheMetrics()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.resize(PageSize);
        page.setWindowSeconds(60);
        steadyTraffic(metrics, 30);

        QVERIFY(page.refresh());
        const QList<TimeSeriesChart *> charts = page.charts();
        QCOMPARE(charts.size(), 4);
        TimeSeriesChart *throughput = charts[0];
        TimeSeriesChart *latency = charts[1];
        TimeSeriesChart *backlog = charts[2];
        TimeSeriesChart *errors = charts[3];
        QCOMPARE(throughput->lineCount(), 4);
        QCOMPARE(throughput->lineSeries(0)->count(), 30);
        QCOMPARE(lastY(throughput->lineSeries(0)), 100.0);     // published msgs/s
        QCOMPARE(lastY(throughput->lineSeries(1)), 100.0);     // pulled
        QCOMPARE(lastY(throughput->lineSeries(2)), 95.0);      // inserted
        QCOMPARE(lastY(throughput->lineSeries(3)), 5.0);       // dead-lettered
        QCOMPARE(lastY(errors->lineSeries(0)), 5.0);           // dead-lettered
        QCOMPARE(lastY(errors->lineSeries(1)), 2.0);           // failed
        QVERIFY(std::abs(lastY(latency->lineSeries(0)) - 20.0) <= 20.0 * LatencyHistogram::MaxRelativeError);
        QVERIFY(std::abs(lastY(latency->lineSeries(1)) - 60.0) <= 60.0 * LatencyHistogram::MaxRelativeError);
        QCOMPARE(lastY(backlog->lineSeries(0)), 40.0);
        // The newest point at the right edge; the value axis above the highest line.
        QCOMPARE(throughput->timeAxis()->max().toMSecsSinceEpoch(), m_nowMs.load());
        QCOMPARE(timeAxisSpanMs(throughput), 60'000);
        QVERIFY(throughput->valueAxis()->max() >= 100);
        QVERIFY(throughput->valueAxis()->max() <= 150);

        // Published, inserted, dead-lettered, failed, backlog, p50, p99.
        QCOMPARE(card(page, 0)->value(), u"3,000"_s);
        QCOMPARE(card(page, 0)->detail(), u"100 msgs/s"_s);
        QCOMPARE(card(page, 1)->value(), u"2,850"_s);
        QCOMPARE(card(page, 2)->value(), u"150"_s);
        QCOMPARE(card(page, 2)->detail(), u"5.0 msgs/s"_s);
        QCOMPARE(card(page, 3)->value(), u"60"_s);
        QCOMPARE(card(page, 4)->value(), u"40"_s);
        QVERIFY2(card(page, 5)->value().startsWith(u"20."_s), qPrintable(card(page, 5)->value()));
        QVERIFY2(card(page, 6)->value().startsWith(u"5"_s) || card(page, 6)->value().startsWith(u"6"_s), qPrintable(card(page, 6)->value()));
        QVERIFY(card(page, 6)->value().endsWith(u" ms"_s));
    }

    void testTimerRedrawsWhenTheDataMoves()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.resize(PageSize);
        page.setWindowSeconds(60);
        page.setRefreshIntervalMs(100);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        ReplaceCounter replaced(page);

        steadyTraffic(metrics, 5);
        QTRY_VERIFY(replaced.total() > 0);
        QTRY_COMPARE(page.charts()[0]->lineSeries(0)->count(), 5);
        QCOMPARE(card(page, 0)->value(), u"500"_s);
    }

    void testNoReplaceWhenNothingChanged()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.resize(PageSize);
        page.setWindowSeconds(60);
        steadyTraffic(metrics, 10);
        ReplaceCounter replaced(page);
        QCOMPARE(replaced.lineCount(), 11);

        QVERIFY(page.refresh());
        QVERIFY(replaced.each(1));          // exactly one replace() per line
        replaced.reset();

        QVERIFY(!page.refresh());           // same time, same data
        QCOMPARE(replaced.total(), 0);

        // Traffic within the second in progress: the figures move, the series (whole seconds) do not.
        m_nowMs += 300;
        metrics.add(Stage::Published, 7);
        QVERIFY(!page.refresh());
        QCOMPARE(replaced.total(), 0);
        QCOMPARE(card(page, 0)->value(), u"1,007"_s);

        // The second ends: one more point, one replace() per line.
        m_nowMs += 700;
        QVERIFY(page.refresh());
        QVERIFY(replaced.each(1));
        QCOMPARE(lastY(page.charts()[0]->lineSeries(0)), 7.0);
        replaced.reset();
        QVERIFY(!page.refresh());
        QCOMPARE(replaced.total(), 0);

        // A quiet second still closes a period (rate 0): that is a change too.
        m_nowMs += 1000;
        QVERIFY(page.refresh());
        QVERIFY(replaced.each(1));
        QCOMPARE(lastY(page.charts()[0]->lineSeries(0)), 0.0);
    }

    void testWaitsForAPixelOnLongWindows()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.resize(PageSize);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.charts()[0]->chart()->plotArea().width() > 100);
        steadyTraffic(metrics, 100);
        QVERIFY(page.refresh());
        QCOMPARE(page.windowSeconds(), 900);
        const double secondsPerColumn = 900.0 / page.charts()[0]->pixelColumns();
        QVERIFY2(secondsPerColumn > 1 && secondsPerColumn < 2, qPrintable(QString::number(secondsPerColumn)));
        ReplaceCounter replaced(page);

        // One second is less than a pixel of 15 minutes: the figures move, the lines wait.
        steadyTraffic(metrics, 1);
        QVERIFY(!page.refresh());
        QCOMPARE(replaced.total(), 0);
        QCOMPARE(card(page, 0)->value(), u"10,100"_s);
        // Two seconds are more.
        steadyTraffic(metrics, 1);
        QVERIFY(page.refresh());
        QVERIFY(replaced.each(1));
        QCOMPARE(page.charts()[0]->lineSeries(0)->count(), 102);

        // On the 1 min window every second is several pixels.
        page.setWindowSeconds(60);
        replaced.reset();
        steadyTraffic(metrics, 1);
        QVERIFY(page.refresh());
        QVERIFY(replaced.each(1));
    }

    void testTimerRunsOnlyWhileShown()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        QStackedWidget stack;       // as the main window holds its pages
        auto *page = new DashboardPage(&feed);
        auto *other = new QWidget;
        stack.addWidget(page);
        stack.addWidget(other);
        stack.resize(PageSize);
        QVERIFY(!page->isRefreshing());

        stack.show();
        QVERIFY(QTest::qWaitForWindowExposed(&stack));
        QVERIFY(page->isRefreshing());
        QCOMPARE(page->refreshIntervalMs(), DashboardPage::DefaultRefreshIntervalMs);

        stack.setCurrentWidget(other);
        QVERIFY(!page->isRefreshing());
        ReplaceCounter replaced(*page);
        steadyTraffic(metrics, 3);
        QTest::qWait(3 * DashboardPage::DefaultRefreshIntervalMs);
        QCOMPARE(replaced.total(), 0);      // nothing drawn while hidden

        // Shown again: catches up at once, then ticks.
        stack.setCurrentWidget(page);
        QVERIFY(page->isRefreshing());
        QVERIFY(replaced.each(1));

        stack.hide();
        QVERIFY(!page->isRefreshing());

        page->setRefreshIntervalMs(1);
        QCOMPARE(page->refreshIntervalMs(), DashboardPage::MinimumRefreshIntervalMs);
    }

    void testWindowSwitching()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        page.resize(PageSize);
        steadyTraffic(metrics, 2000);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        QSignalSpy changed(&page, &DashboardPage::windowSecondsChanged);
        TimeSeriesChart *throughput = page.charts()[0];

        QCOMPARE(page.windowSeconds(), DashboardPage::DefaultWindowSeconds);
        QCOMPARE(timeAxisSpanMs(throughput), 900'000);
        QCOMPARE(throughput->lineSeries(0)->count(), 900);    // 1 s points; the plot is wider than 450 px

        auto *oneMinute = page.findChild<QAbstractButton *>(u"window60"_s);
        QVERIFY(oneMinute);
        QTest::mouseClick(oneMinute, Qt::LeftButton);
        QCOMPARE(page.windowSeconds(), 60);
        QVERIFY(oneMinute->isChecked());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.back().at(0).toInt(), 60);
        QCOMPARE(timeAxisSpanMs(throughput), 60'000);
        QCOMPARE(throughput->lineSeries(0)->count(), 60);
        QCOMPARE(throughput->timeAxis()->format(), u"HH:mm:ss"_s);

        QTest::keyClick(&page, Qt::Key_3, Qt::AltModifier);
        QCOMPARE(page.windowSeconds(), 3600);
        QVERIFY(page.findChild<QAbstractButton *>(u"window3600"_s)->isChecked());
        QCOMPARE(timeAxisSpanMs(throughput), 3'600'000);
        QCOMPARE(throughput->lineSeries(0)->count(), 200);    // 2,000 s at 10 s
        QCOMPARE(lastY(throughput->lineSeries(0)), 100.0);
        QCOMPARE(throughput->timeAxis()->format(), u"HH:mm"_s);

        QTest::keyClick(&page, Qt::Key_2, Qt::AltModifier);
        QCOMPARE(page.windowSeconds(), 900);
        QTest::keyClick(&page, Qt::Key_1, Qt::AltModifier);
        QCOMPARE(page.windowSeconds(), 60);
        QCOMPARE(changed.size(), 4);

        page.setWindowSeconds(100);       // the nearest choice
        QCOMPARE(page.windowSeconds(), 60);
        QCOMPARE(changed.size(), 4);
        page.setWindowSeconds(5000);
        QCOMPARE(page.windowSeconds(), 3600);
    }

    void testDecimatesToThePlotWidth()
    {
        HourAtOneSecondFeed feed;
        DashboardPage page(&feed);
        page.resize(PageSize);
        page.setWindowSeconds(3600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.refresh();

        QTRY_VERIFY(page.charts()[0]->chart()->plotArea().width() > 100);
        page.refresh();
        for (TimeSeriesChart *chart : page.charts()) {
            const int columns = chart->pixelColumns();
            QVERIFY2(columns > 300 && columns < 640, qPrintable(QString::number(columns)));
            QCOMPARE(qCeil(chart->chart()->plotArea().width()), columns);
            for (int i = 0; i < chart->lineCount(); ++i)
                QVERIFY(chart->lineSeries(i)->count() <= 2 * columns);
        }
        // The one-second spike of 5,000 msgs/s survives.
        QXYSeries *published = page.charts()[0]->lineSeries(0);
        double highest = 0;
        for (const QPointF &point : published->points())
            highest = qMax(highest, point.y());
        QCOMPARE(highest, 5000.0);

        // A narrower page: fewer columns, decimated again on the next tick even though the data did not move.
        // (The timer may get there first; either way each line is decimated again.)
        ReplaceCounter replaced(page);
        page.resize(800, 600);
        QTRY_VERIFY(page.charts()[0]->pixelColumns() < 400);
        page.refresh();
        QVERIFY(replaced.total() >= replaced.lineCount());
        QVERIFY(published->count() <= 2 * page.charts()[0]->pixelColumns());
        QCOMPARE(qCeil(page.charts()[0]->chart()->plotArea().width()), page.charts()[0]->pixelColumns());
    }

    void testFollowsThePalette()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);

        const QPalette dark = darkPalette();
        QPalette light;
        light.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
        light.setColor(QPalette::WindowText, QColor(0x20, 0x20, 0x20));
        light.setColor(QPalette::Base, Qt::white);
        light.setColor(QPalette::Text, QColor(0x20, 0x20, 0x20));

        page.setPalette(dark);
        for (TimeSeriesChart *chart : page.charts()) {
            QCOMPARE(chart->chart()->theme(), QChart::ChartThemeDark);
            QCOMPARE(chart->chart()->backgroundBrush().color(), dark.color(QPalette::Base));
        }
        // The theme reset the lines' colours; they are applied again.
        const QColor publishedColor = page.charts()[0]->lineSeries(0)->pen().color();
        page.setPalette(light);
        for (TimeSeriesChart *chart : page.charts())
            QCOMPARE(chart->chart()->theme(), QChart::ChartThemeLight);
        QCOMPARE(page.charts()[0]->lineSeries(0)->pen().color(), publishedColor);
        QCOMPARE(publishedColor, QColor(0x57, 0x94, 0xf2));
    }

    void testUtcTimes()
    {
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        steadyTraffic(metrics, 10);
        page.refresh();
        TimeSeriesChart *throughput = page.charts()[0];
        QCOMPARE(throughput->timeAxis()->max().toMSecsSinceEpoch(), m_nowMs.load());

        page.setTimeSpec(Qt::UTC);
        QCOMPARE(page.timeSpec(), Qt::UTC);
        QVERIFY(page.refresh());
        // The axis shows local time: the UTC clock time of the newest point is what it reads.
        const QDateTime shown = throughput->timeAxis()->max();
        QCOMPARE(shown.time(), QDateTime::fromMSecsSinceEpoch(m_nowMs.load(), Qt::UTC).time());
        QVERIFY(page.findChild<QLabel *>(u"dashboardSubtitle"_s)->text().contains(u"UTC"_s));
    }

    void testWithoutAFeed()
    {
        DashboardPage page(nullptr);
        QVERIFY(!page.refresh());
        page.resize(PageSize);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        PipelineMetrics metrics(clock());
        LocalMetricsFeed feed(&metrics);
        steadyTraffic(metrics, 3);
        page.setFeed(&feed);
        QCOMPARE(page.feed(), &feed);
        QCOMPARE(page.charts()[0]->lineSeries(0)->count(), 3);
    }

    // Pictures of the page with an hour of realistic traffic, in the light and the dark palette; written to
    // $AQ_SCREENSHOT_DIR/dashboard.png and dashboard-dark.png when that is set (docs/screenshots/ for the README).
    void testScreenshot_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::addColumn<QString>("fileName");
        QTest::newRow("light") << false << u"dashboard.png"_s;
        QTest::newRow("dark") << true << u"dashboard-dark.png"_s;
    }

    void testScreenshot()
    {
        QFETCH(bool, dark);
        QFETCH(QString, fileName);
        PipelineMetrics metrics(clock());
        realisticHour(metrics);
        LocalMetricsFeed feed(&metrics);
        DashboardPage page(&feed);
        if (dark)
            page.setPalette(darkPalette());
        page.setTimeSpec(Qt::UTC);
        page.resize(PageSize);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.charts()[0]->chart()->plotArea().width() > 100);
        page.refresh();
        QCoreApplication::processEvents();
        const QImage image = page.grab().toImage();
        QCOMPARE(image.size(), PageSize * page.devicePixelRatio());

        const QString directory = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (directory.isEmpty())
            return;
        QVERIFY(QDir().mkpath(directory));
        QVERIFY(image.save(directory + u"/"_s + fileName));
    }
};

QTEST_MAIN(TestDashboardPage)
#include "testdashboardpage.moc"
