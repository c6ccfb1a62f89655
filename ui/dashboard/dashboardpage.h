#pragma once

#include <array>

#include <QList>
#include <QTimer>
#include <QWidget>

#include "core/metrics/stage.h"

class QAction;
class QButtonGroup;
class QLabel;

namespace Aq::Metrics
{
    struct Series;
    struct Snapshot;
}

namespace Aq::Ui
{
    class MetricsFeed;
    class StatCard;
    class TimeSeriesChart;

    // The console's Dashboard: live charts of the pipeline (throughput per stage, end-to-end latency p50/p99,
    // backlog, errors) over the last minute, 15 minutes or hour, with the totals and current rates beside them.
    //
    // Cheap by construction: one timer (2 Hz by default, never above 10 Hz) fetches the series, and does nothing
    // more when it has not changed since the last tick, or when its newest point moved the lines by less than a
    // pixel; otherwise every line is decimated to its plot's pixel width and gets one replace(). The figures
    // beside the charts follow every tick. The timer runs only while the page is shown.
    //
    // Keys: Alt+1, Alt+2, Alt+3 pick the 1 min, 15 min and 1 h window (Ctrl+digits are left to the main window).
    class DashboardPage : public QWidget
    {
        Q_OBJECT

    public:
        static constexpr std::array<int, 3> WindowChoices {60, 900, 3600};
        static constexpr int DefaultWindowSeconds = 900;
        static constexpr int DefaultRefreshIntervalMs = 500;
        static constexpr int MinimumRefreshIntervalMs = 100;

        // `feed` may be null (nothing to show yet) and must outlive the page or be replaced first.
        explicit DashboardPage(MetricsFeed *feed, QWidget *parent = nullptr);
        ~DashboardPage() override;

        MetricsFeed *feed() const;
        // Switches the source (this process's pipeline, or a remote server's); the charts redraw at once.
        void setFeed(MetricsFeed *feed);

        int windowSeconds() const;
        // One of WindowChoices; anything else picks the nearest of them.
        void setWindowSeconds(int seconds);
        // "last minute / 15 minutes / hour" with Alt+1/2/3, for the window's menu.
        QList<QAction *> windowActions() const { return m_windowActions; }

        Qt::TimeSpec timeSpec() const;
        // Times on the charts in Qt::LocalTime (the default) or Qt::UTC.
        void setTimeSpec(Qt::TimeSpec spec);

        int refreshIntervalMs() const;
        // At least MinimumRefreshIntervalMs (10 Hz).
        void setRefreshIntervalMs(int milliseconds);
        // Whether the timer runs: only while the page is shown.
        bool isRefreshing() const;

        // One tick now: fetch the feed, update the figures, and redraw the charts if their data moved by at least
        // a pixel (or the window, the time zone, the feed or a plot's width changed). Returns whether the charts
        // were redrawn.
        bool refresh();

        // Throughput, latency, backlog, errors (for tests and benchmarks).
        QList<TimeSeriesChart *> charts() const;

    signals:
        void windowSecondsChanged(int seconds);

    protected:
        void showEvent(QShowEvent *event) override;
        void hideEvent(QHideEvent *event) override;
        void changeEvent(QEvent *event) override;

    private:
        // What the last redraw showed; when the new series has the same, nothing is redrawn.
        struct SeriesSignature
        {
            int windowSeconds = 0;
            int resolutionSeconds = 0;
            qsizetype size = 0;
            qint64 firstTimeMs = 0;
            qint64 lastTimeMs = 0;
            Metrics::StageCounts lastCounts {};
            quint64 lastLatencyCount = 0;
            double lastLatencyP50Micros = 0;
            double lastLatencyP99Micros = 0;
            qint64 lastBacklog = -1;

            bool operator==(const SeriesSignature &other) const = default;
        };

        static SeriesSignature signatureOf(const Metrics::Series &series);
        bool isBelowOnePixel(const SeriesSignature &signature) const;
        QWidget *createHeader();
        QWidget *createCards();
        void createCharts();
        void redraw(const Metrics::Series &series, qint64 nowMs);
        void updateFigures(const Metrics::Snapshot &snapshot);
        void applyPalette();
        void markChartsDirty();

        MetricsFeed *m_feed;
        int m_windowSeconds = DefaultWindowSeconds;
        Qt::TimeSpec m_timeSpec = Qt::LocalTime;
        QTimer m_timer;
        bool m_chartsDirty = true;
        SeriesSignature m_lastSignature;

        QLabel *m_subtitle = nullptr;
        QWidget *m_windowBar = nullptr;
        QButtonGroup *m_windowButtons = nullptr;
        StatCard *m_published = nullptr;
        StatCard *m_inserted = nullptr;
        StatCard *m_deadLettered = nullptr;
        StatCard *m_failed = nullptr;
        StatCard *m_backlog = nullptr;
        StatCard *m_latencyP50 = nullptr;
        StatCard *m_latencyP99 = nullptr;
        TimeSeriesChart *m_throughputChart = nullptr;
        TimeSeriesChart *m_latencyChart = nullptr;
        TimeSeriesChart *m_backlogChart = nullptr;
        TimeSeriesChart *m_errorsChart = nullptr;
        QList<QAction *> m_windowActions;
    };
}
