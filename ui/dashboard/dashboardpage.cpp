#include "ui/dashboard/dashboardpage.h"

#include <cmath>

#include <QAbstractButton>
#include <QButtonGroup>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QAction>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/metrics/seriespoint.h"
#include "core/metrics/snapshot.h"
#include "ui/dashboard/metricsfeed.h"
#include "ui/dashboard/statcard.h"
#include "ui/dashboard/timeserieschart.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Metrics::Stage;

namespace Aq::Ui
{
    namespace
    {
        // One colour per quantity, the same in the charts and on the cards, readable on light and dark backgrounds.
        const QColor PublishedColor {0x57, 0x94, 0xf2};
        const QColor PulledColor {0xb8, 0x77, 0xd9};
        const QColor InsertedColor {0x56, 0xa6, 0x4b};
        const QColor DeadLetteredColor {0xe0, 0x2f, 0x44};
        const QColor FailedColor {0xff, 0x98, 0x30};
        const QColor NackedColor {0xd6, 0xa7, 0x00};
        const QColor RetriedColor {0x1f, 0xa2, 0xb0};
        const QColor LatencyP50Color {0x57, 0x94, 0xf2};
        const QColor LatencyP99Color {0xff, 0x78, 0x30};
        const QColor BacklogColor {0x8f, 0x5d, 0xd9};

        constexpr std::array<Stage, 4> ThroughputStages {Stage::Published, Stage::Pulled, Stage::Inserted, Stage::DeadLettered};
        constexpr std::array<Stage, 4> ErrorStages {Stage::DeadLettered, Stage::Failed, Stage::Nacked, Stage::Retried};

        QColor stageColor(Stage stage)
        {
            switch (stage) {
            case Stage::Published: return PublishedColor;
            case Stage::Pulled: return PulledColor;
            case Stage::Inserted: return InsertedColor;
            case Stage::DeadLettered: return DeadLetteredColor;
            case Stage::Failed: return FailedColor;
            case Stage::Nacked: return NackedColor;
            case Stage::Retried: return RetriedColor;
            case Stage::Acked: return InsertedColor.darker(130);
            }
            return PublishedColor;
        }

        QString stageName(Stage stage)
        {
            switch (stage) {
            case Stage::Published: return DashboardPage::tr("Published");
            case Stage::Pulled: return DashboardPage::tr("Pulled");
            case Stage::Inserted: return DashboardPage::tr("Inserted");
            case Stage::DeadLettered: return DashboardPage::tr("Dead-lettered");
            case Stage::Acked: return DashboardPage::tr("Acknowledged");
            case Stage::Nacked: return DashboardPage::tr("Nacked");
            case Stage::Retried: return DashboardPage::tr("Retried");
            case Stage::Failed: return DashboardPage::tr("Failed");
            }
            return {};
        }

        struct WindowChoice
        {
            int seconds;
            const char *label;
            const char *timeFormat;
            int timeTicks;
        };

        // Time labels land every 10 s, 3 min and 10 min.
        constexpr std::array<WindowChoice, 3> WindowChoiceDetails {{
            {60, QT_TRANSLATE_NOOP("Aq::Ui::DashboardPage", "1 min"), "HH:mm:ss", 7},
            {900, QT_TRANSLATE_NOOP("Aq::Ui::DashboardPage", "15 min"), "HH:mm:ss", 6},
            {3600, QT_TRANSLATE_NOOP("Aq::Ui::DashboardPage", "1 h"), "HH:mm", 7},
        }};

        const WindowChoice &windowChoice(int seconds)
        {
            const WindowChoice *best = &WindowChoiceDetails.front();
            for (const WindowChoice &choice : WindowChoiceDetails) {
                if (std::abs(choice.seconds - seconds) < std::abs(best->seconds - seconds))
                    best = &choice;
            }
            return *best;
        }

        QString formatCount(qint64 count)
        {
            return QLocale().toString(count);
        }

        QString formatRate(double perSecond)
        {
            return DashboardPage::tr("%1 msgs/s").arg(QLocale().toString(perSecond, 'f', perSecond >= 100 ? 0 : 1));
        }

        QString formatMilliseconds(double micros)
        {
            const double ms = micros / 1000;
            const int decimals = ms < 10 ? 2 : (ms < 100 ? 1 : 0);
            return DashboardPage::tr("%1 ms").arg(QLocale().toString(ms, 'f', decimals));
        }

        QString formatUptime(qint64 ms)
        {
            const qint64 seconds = qMax<qint64>(0, ms / 1000);
            if (seconds < 60)
                return DashboardPage::tr("%1 s").arg(seconds);
            if (seconds < 3600)
                return DashboardPage::tr("%1 min").arg(seconds / 60);
            if (seconds < 86400)
                return DashboardPage::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
            return DashboardPage::tr("%1 d %2 h").arg(seconds / 86400).arg(seconds / 3600 % 24);
        }
    }

    DashboardPage::DashboardPage(MetricsFeed *feed, QWidget *parent)
        : QWidget(parent)
        , m_feed {feed}
    {
        setObjectName(u"dashboardPage"_s);
        m_timer.setInterval(DefaultRefreshIntervalMs);
        connect(&m_timer, &QTimer::timeout, this, &DashboardPage::refresh);

        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(16, 14, 16, 16);
        layout->setSpacing(12);
        layout->addWidget(createHeader());
        layout->addWidget(createCards());
        createCharts();
        auto *grid = new QGridLayout;
        grid->setSpacing(12);
        grid->addWidget(m_throughputChart, 0, 0);
        grid->addWidget(m_latencyChart, 0, 1);
        grid->addWidget(m_backlogChart, 1, 0);
        grid->addWidget(m_errorsChart, 1, 1);
        layout->addLayout(grid, 1);

        const std::array<Qt::Key, 3> keys {Qt::Key_1, Qt::Key_2, Qt::Key_3};
        const std::array<const char *, 3> labels {QT_TR_NOOP("Dashboard: last &minute"), QT_TR_NOOP("Dashboard: last &15 minutes"), QT_TR_NOOP("Dashboard: last &hour")};
        for (size_t i = 0; i < keys.size(); ++i) {
            auto *action = new QAction(tr(labels[i]), this);
            action->setShortcut(QKeySequence(Qt::ALT | keys[i]));
            const int seconds = WindowChoices[i];
            connect(action, &QAction::triggered, this, [this, seconds] { setWindowSeconds(seconds); });
            addAction(action);
            m_windowActions.append(action);
        }

        m_windowSeconds = 0;    // so that the default is applied like any later choice
        setWindowSeconds(DefaultWindowSeconds);
        applyPalette();
    }

    DashboardPage::~DashboardPage() = default;

    QWidget *DashboardPage::createHeader()
    {
        auto *header = new QWidget(this);
        auto *layout = new QHBoxLayout(header);
        layout->setContentsMargins(0, 0, 0, 0);

        auto *titles = new QVBoxLayout;
        titles->setSpacing(0);
        auto *title = new QLabel(tr("Ingest dashboard"), header);
        QFont titleFont = title->font();
        titleFont.setPointSizeF(titleFont.pointSizeF() + 5);
        titleFont.setBold(true);
        title->setFont(titleFont);
        m_subtitle = new QLabel(header);
        m_subtitle->setObjectName(u"dashboardSubtitle"_s);
        titles->addWidget(title);
        titles->addWidget(m_subtitle);
        layout->addLayout(titles, 1);

        // A segmented control: the three buttons side by side, the chosen one highlighted (applyPalette()).
        m_windowBar = new QWidget(header);
        m_windowBar->setObjectName(u"windowBar"_s);
        auto *bar = new QHBoxLayout(m_windowBar);
        bar->setContentsMargins(0, 0, 0, 0);
        bar->setSpacing(0);
        layout->addWidget(m_windowBar, 0, Qt::AlignVCenter);
        m_windowButtons = new QButtonGroup(this);
        m_windowButtons->setExclusive(true);
        for (size_t i = 0; i < WindowChoiceDetails.size(); ++i) {
            const WindowChoice &choice = WindowChoiceDetails[i];
            auto *button = new QToolButton(m_windowBar);
            button->setObjectName(u"window"_s + QString::number(choice.seconds));
            button->setText(tr(choice.label));
            button->setCheckable(true);
            button->setToolButtonStyle(Qt::ToolButtonTextOnly);
            button->setMinimumWidth(64);
            button->setCursor(Qt::PointingHandCursor);
            button->setToolTip(tr("Show the last %1 (Alt+%2)").arg(tr(choice.label)).arg(i + 1));
            m_windowButtons->addButton(button, choice.seconds);
            bar->addWidget(button);
        }
        connect(m_windowButtons, &QButtonGroup::idClicked, this, &DashboardPage::setWindowSeconds);
        return header;
    }

    QWidget *DashboardPage::createCards()
    {
        auto *cards = new QWidget(this);
        auto *layout = new QHBoxLayout(cards);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(12);
        m_published = new StatCard(stageName(Stage::Published), PublishedColor, cards);
        m_inserted = new StatCard(stageName(Stage::Inserted), InsertedColor, cards);
        m_deadLettered = new StatCard(stageName(Stage::DeadLettered), DeadLetteredColor, cards);
        m_failed = new StatCard(tr("Failed (transient)"), FailedColor, cards);
        m_backlog = new StatCard(tr("Backlog"), BacklogColor, cards);
        m_latencyP50 = new StatCard(tr("Latency p50"), LatencyP50Color, cards);
        m_latencyP99 = new StatCard(tr("Latency p99"), LatencyP99Color, cards);
        for (StatCard *card : {m_published, m_inserted, m_deadLettered, m_failed, m_backlog, m_latencyP50, m_latencyP99})
            layout->addWidget(card);
        return cards;
    }

    void DashboardPage::createCharts()
    {
        m_throughputChart = new TimeSeriesChart(tr("Throughput by stage"), tr("msgs/s"), this);
        for (const Stage stage : ThroughputStages)
            m_throughputChart->addLine(stageName(stage), stageColor(stage));
        m_latencyChart = new TimeSeriesChart(tr("End-to-end latency (publish to stored)"), tr("ms"), this);
        m_latencyChart->addLine(tr("p50"), LatencyP50Color);
        m_latencyChart->addLine(tr("p99"), LatencyP99Color);
        m_backlogChart = new TimeSeriesChart(tr("Backlog (messages waiting in the subscription)"), tr("messages"), this);
        m_backlogChart->addLine(tr("Backlog"), BacklogColor);
        m_errorsChart = new TimeSeriesChart(tr("Errors and retries"), tr("msgs/s"), this);
        for (const Stage stage : ErrorStages)
            m_errorsChart->addLine(stageName(stage), stageColor(stage));
        for (TimeSeriesChart *chart : charts())
            connect(chart, &TimeSeriesChart::pixelColumnsChanged, this, &DashboardPage::markChartsDirty);
    }

    MetricsFeed *DashboardPage::feed() const
    {
        return m_feed;
    }

    void DashboardPage::setFeed(MetricsFeed *feed)
    {
        m_feed = feed;
        markChartsDirty();
        if (isVisible())
            refresh();
    }

    int DashboardPage::windowSeconds() const
    {
        return m_windowSeconds;
    }

    void DashboardPage::setWindowSeconds(int seconds)
    {
        const WindowChoice &choice = windowChoice(seconds);
        if (QAbstractButton *button = m_windowButtons->button(choice.seconds); button && !button->isChecked())
            button->setChecked(true);
        if (choice.seconds == m_windowSeconds)
            return;
        m_windowSeconds = choice.seconds;
        for (TimeSeriesChart *chart : charts())
            chart->setTimeLabels(QString::fromLatin1(choice.timeFormat), choice.timeTicks);
        markChartsDirty();
        if (isVisible())
            refresh();
        emit windowSecondsChanged(m_windowSeconds);
    }

    Qt::TimeSpec DashboardPage::timeSpec() const
    {
        return m_timeSpec;
    }

    void DashboardPage::setTimeSpec(Qt::TimeSpec spec)
    {
        spec = spec == Qt::UTC ? Qt::UTC : Qt::LocalTime;
        if (spec == m_timeSpec)
            return;
        m_timeSpec = spec;
        markChartsDirty();
        if (isVisible())
            refresh();
    }

    int DashboardPage::refreshIntervalMs() const
    {
        return m_timer.interval();
    }

    void DashboardPage::setRefreshIntervalMs(int milliseconds)
    {
        m_timer.setInterval(qMax(MinimumRefreshIntervalMs, milliseconds));
    }

    bool DashboardPage::isRefreshing() const
    {
        return m_timer.isActive();
    }

    QList<TimeSeriesChart *> DashboardPage::charts() const
    {
        return {m_throughputChart, m_latencyChart, m_backlogChart, m_errorsChart};
    }

    bool DashboardPage::refresh()
    {
        if (!m_feed)
            return false;
        const Metrics::Snapshot snapshot = m_feed->snapshot();
        updateFigures(snapshot);
        const Metrics::Series series = m_feed->series(m_windowSeconds);
        const SeriesSignature signature = signatureOf(series);
        if (!m_chartsDirty && (signature == m_lastSignature || isBelowOnePixel(signature)))
            return false;
        m_lastSignature = signature;
        m_chartsDirty = false;
        redraw(series, snapshot.timeMs);
        return true;
    }

    DashboardPage::SeriesSignature DashboardPage::signatureOf(const Metrics::Series &series)
    {
        SeriesSignature signature;
        signature.windowSeconds = series.windowSeconds;
        signature.resolutionSeconds = series.resolutionSeconds;
        signature.size = series.points.size();
        if (series.points.isEmpty())
            return signature;
        // Closed periods never change, so the newest one and the span stand for the whole series.
        const Metrics::SeriesPoint &last = series.points.back();
        signature.firstTimeMs = series.points.front().timeMs;
        signature.lastTimeMs = last.timeMs;
        signature.lastCounts = last.counts;
        signature.lastLatencyCount = last.latencyCount;
        if (last.latencyCount > 0) {     // the quantiles are NaN otherwise, and NaN never compares equal
            signature.lastLatencyP50Micros = last.latencyP50Micros;
            signature.lastLatencyP99Micros = last.latencyP99Micros;
        }
        signature.lastBacklog = last.backlog;
        return signature;
    }

    bool DashboardPage::isBelowOnePixel(const SeriesSignature &signature) const
    {
        // On a long window a second moves the lines by less than a pixel (15 min on 520 px: 0.6 px), and redrawing
        // is the expensive part of a tick: wait until the newest point has moved a whole pixel column. (A newest
        // point changed in place, at the same time, is redrawn at once.)
        if (signature.windowSeconds != m_lastSignature.windowSeconds || signature.resolutionSeconds != m_lastSignature.resolutionSeconds)
            return false;
        const qint64 movedMs = signature.lastTimeMs - m_lastSignature.lastTimeMs;
        const double msPerColumn = 1000.0 * m_windowSeconds / m_throughputChart->pixelColumns();
        return movedMs > 0 && double(movedMs) < msPerColumn;
    }

    void DashboardPage::redraw(const Metrics::Series &series, qint64 nowMs)
    {
        const QList<Metrics::SeriesPoint> &points = series.points;
        const int resolutionSeconds = qMax(1, series.resolutionSeconds);
        const qint64 resolutionMs = qint64(resolutionSeconds) * 1000;
        // A point is drawn at the end of its period, so the newest one touches the right edge.
        const qint64 endMs = points.isEmpty() ? nowMs / 1000 * 1000 : points.back().timeMs + resolutionMs;
        const qint64 startMs = endMs - qint64(m_windowSeconds) * 1000;
        // QDateTimeAxis labels in local time; to show UTC, the points move by the local offset instead.
        const double shift = m_timeSpec == Qt::UTC ? -1000.0 * QDateTime::fromMSecsSinceEpoch(endMs).offsetFromUtc() : 0.0;

        QList<QList<QPointF>> throughput(qsizetype(ThroughputStages.size()));
        QList<QList<QPointF>> errors(qsizetype(ErrorStages.size()));
        QList<QList<QPointF>> latency(2);
        QList<QList<QPointF>> backlog(1);
        for (QList<QList<QPointF>> *lines : {&throughput, &errors, &latency, &backlog}) {
            for (QList<QPointF> &line : *lines)
                line.reserve(points.size());
        }
        for (const Metrics::SeriesPoint &point : points) {
            const qint64 pointEndMs = point.timeMs + resolutionMs;
            if (pointEndMs <= startMs)
                continue;
            const double x = double(pointEndMs) + shift;
            for (size_t i = 0; i < ThroughputStages.size(); ++i)
                throughput[qsizetype(i)].append({x, double(point.counts[size_t(ThroughputStages[i])]) / resolutionSeconds});
            for (size_t i = 0; i < ErrorStages.size(); ++i)
                errors[qsizetype(i)].append({x, double(point.counts[size_t(ErrorStages[i])]) / resolutionSeconds});
            // Periods without a stored row, or with the backlog unknown, have no point: the line bridges them.
            if (point.latencyCount > 0) {
                latency[0].append({x, point.latencyP50Micros / 1000});
                latency[1].append({x, point.latencyP99Micros / 1000});
            }
            if (point.backlog >= 0)
                backlog[0].append({x, double(point.backlog)});
        }
        const double start = double(startMs) + shift;
        const double end = double(endMs) + shift;
        m_throughputChart->setLines(start, end, throughput);
        m_errorsChart->setLines(start, end, errors);
        m_latencyChart->setLines(start, end, latency);
        m_backlogChart->setLines(start, end, backlog);
    }

    void DashboardPage::updateFigures(const Metrics::Snapshot &snapshot)
    {
        const auto setStage = [&snapshot](StatCard *card, Stage stage) {
            card->setValue(formatCount(snapshot.total(stage)));
            card->setDetail(formatRate(snapshot.rate(stage)));
        };
        setStage(m_published, Stage::Published);
        setStage(m_inserted, Stage::Inserted);
        setStage(m_deadLettered, Stage::DeadLettered);
        setStage(m_failed, Stage::Failed);

        if (snapshot.backlog >= 0) {
            m_backlog->setValue(formatCount(snapshot.backlog));
            m_backlog->setDetail(tr("messages waiting"));
        } else {
            m_backlog->setValue(tr("n/a"));
            m_backlog->setDetail(tr("not reported yet"));
        }

        const bool anyLatency = snapshot.latencyWindowCount > 0;
        const QString latencyDetail = anyLatency
            ? tr("last %1 s, %2 rows").arg(snapshot.latencyWindowSeconds).arg(formatCount(qint64(snapshot.latencyWindowCount)))
            : tr("no rows stored in the last %1 s").arg(snapshot.latencyWindowSeconds);
        m_latencyP50->setValue(anyLatency ? formatMilliseconds(snapshot.latencyP50Micros) : tr("n/a"));
        m_latencyP99->setValue(anyLatency ? formatMilliseconds(snapshot.latencyP99Micros) : tr("n/a"));
        m_latencyP50->setDetail(latencyDetail);
        m_latencyP99->setDetail(latencyDetail);

        const QString subtitle = tr("Up %1  \u00b7  rates over the last %2 s  \u00b7  times in %3")
            .arg(formatUptime(snapshot.uptimeMs()))
            .arg(snapshot.rateWindowSeconds)
            .arg(m_timeSpec == Qt::UTC ? tr("UTC") : tr("local time"));
        if (m_subtitle->text() != subtitle)
            m_subtitle->setText(subtitle);
    }

    void DashboardPage::markChartsDirty()
    {
        m_chartsDirty = true;
    }

    void DashboardPage::applyPalette()
    {
        const QPalette palette = this->palette();
        for (TimeSeriesChart *chart : charts())
            chart->applyPalette(palette);
        for (StatCard *card : {m_published, m_inserted, m_deadLettered, m_failed, m_backlog, m_latencyP50, m_latencyP99})
            card->applyPalette(palette);
        QColor muted = palette.color(QPalette::WindowText);
        muted.setAlphaF(0.65f);
        // Polished first: Qt 6.4 keeps the parsed style sheet of a widget that was never polished, so a second
        // setStyleSheet() before the first show would be ignored.
        m_subtitle->ensurePolished();
        m_windowBar->ensurePolished();
        m_subtitle->setStyleSheet(u"color: "_s + muted.name(QColor::HexArgb) + u";"_s);

        const QString border = palette.color(QPalette::Mid).name();
        const QString first = u"window"_s + QString::number(WindowChoices.front());
        const QString last = u"window"_s + QString::number(WindowChoices.back());
        m_windowBar->setStyleSheet(
            u"QToolButton { padding: 4px 14px; border: 1px solid "_s + border + u"; border-left: none; background-color: "_s
            + palette.color(QPalette::Base).name() + u"; color: "_s + palette.color(QPalette::Text).name() + u"; }"_s
            + u" QToolButton:hover:!checked { background-color: "_s + palette.color(QPalette::AlternateBase).name() + u"; }"_s
            + u" QToolButton:checked { background-color: "_s + palette.color(QPalette::Highlight).name() + u"; color: "_s
            + palette.color(QPalette::HighlightedText).name() + u"; border-color: "_s + palette.color(QPalette::Highlight).name() + u"; }"_s
            + u" QToolButton#"_s + first + u" { border-left: 1px solid "_s + border
            + u"; border-top-left-radius: 4px; border-bottom-left-radius: 4px; }"_s
            + u" QToolButton#"_s + first + u":checked { border-left-color: "_s + palette.color(QPalette::Highlight).name() + u"; }"_s
            + u" QToolButton#"_s + last + u" { border-top-right-radius: 4px; border-bottom-right-radius: 4px; }"_s);
    }

    void DashboardPage::showEvent(QShowEvent *event)
    {
        QWidget::showEvent(event);
        // Catch up at once (the data went on while hidden), then tick.
        refresh();
        m_timer.start();
    }

    void DashboardPage::hideEvent(QHideEvent *event)
    {
        QWidget::hideEvent(event);
        m_timer.stop();
    }

    void DashboardPage::changeEvent(QEvent *event)
    {
        QWidget::changeEvent(event);
        if (event->type() == QEvent::PaletteChange)
            applyPalette();
    }
}
