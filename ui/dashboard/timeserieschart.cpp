#include "ui/dashboard/timeserieschart.h"

#include <cmath>

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include "ui/dashboard/decimation.h"
#include "ui/theme.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        // Before the first layout the plot has no width yet; decimate to a typical one rather than to nothing.
        constexpr int FallbackPixelColumns = 600;
        constexpr int ValueTickCount = 5;

        // The smallest "round" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) that is at least `value`: steps that
        // read well on an axis without leaving much of it empty.
        double niceStep(double value)
        {
            if (!(value > 0))
                return 1;
            const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
            for (const double mantissa : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0}) {
                if (mantissa * magnitude >= value * (1 - 1e-9))
                    return mantissa * magnitude;
            }
            return 10 * magnitude;
        }

        // As many decimals as the step needs (0.25: two), at most three.
        QString labelFormatFor(double step)
        {
            int decimals = 0;
            while (decimals < 3) {
                const double scaled = step * std::pow(10.0, decimals);
                if (std::abs(scaled - std::round(scaled)) < 1e-6 * qMax(1.0, scaled))
                    break;
                ++decimals;
            }
            return u"%."_s + QString::number(decimals) + u"f"_s;
        }
    }

    TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent)
        : QChartView(new QChart, parent)
        , m_timeAxis {new QDateTimeAxis}
        , m_positionAxis {new QValueAxis}
        , m_timeAnchor {new QLineSeries(this)}
        , m_valueAxis {new QValueAxis}
    {
        setFrameShape(QFrame::NoFrame);
        setRenderHint(QPainter::Antialiasing, true);
        setMinimumSize(320, 190);

        QChart *chart = this->chart();
        chart->setTitle(title);
        chart->setAnimationOptions(QChart::NoAnimation);
        chart->layout()->setContentsMargins(0, 0, 0, 0);
        chart->setMargins(QMargins(8, 4, 12, 4));
        chart->setBackgroundRoundness(6);
        chart->legend()->setAlignment(Qt::AlignBottom);

        m_timeAxis->setTickCount(7);
        m_timeAxis->setFormat(u"HH:mm:ss"_s);
        m_valueAxis->setTitleText(unit);
        m_valueAxis->setTickCount(ValueTickCount);
        m_valueAxis->setRange(0, 1);
        m_valueAxis->setLabelFormat(labelFormatFor(0.25));
        m_positionAxis->setVisible(false);
        m_positionAxis->setRange(-1, 0);
        chart->addAxis(m_timeAxis, Qt::AlignBottom);
        chart->addAxis(m_positionAxis, Qt::AlignBottom);
        chart->addAxis(m_valueAxis, Qt::AlignLeft);
        chart->addSeries(m_timeAnchor);
        m_timeAnchor->attachAxis(m_timeAxis);
        m_timeAnchor->attachAxis(m_valueAxis);
        for (QLegendMarker *marker : chart->legend()->markers(m_timeAnchor))
            marker->setVisible(false);

        connect(chart, &QChart::plotAreaChanged, this, [this](const QRectF &plotArea) {
            const int columns = int(std::ceil(plotArea.width()));
            if (columns == m_pixelColumns)
                return;
            m_pixelColumns = columns;
            emit pixelColumnsChanged(pixelColumns());
        });
    }

    int TimeSeriesChart::addLine(const QString &name, const QColor &color)
    {
        // Lines only: a QAreaSeries under a noisy hour cost several times more to paint than all the lines of
        // a chart together (its antialiased fill, bench/benchdashboard).
        auto *series = new QLineSeries(this);     // the chart takes it over in addSeries()
        series->setName(name);
        chart()->addSeries(series);
        series->attachAxis(m_positionAxis);
        series->attachAxis(m_valueAxis);
        m_lines.append({series, color});
        styleLine(m_lines.back());
        return int(m_lines.size()) - 1;
    }

    int TimeSeriesChart::lineCount() const
    {
        return int(m_lines.size());
    }

    QXYSeries *TimeSeriesChart::lineSeries(int index) const
    {
        return m_lines.at(index).series;
    }

    QDateTimeAxis *TimeSeriesChart::timeAxis() const
    {
        return m_timeAxis;
    }

    QValueAxis *TimeSeriesChart::valueAxis() const
    {
        return m_valueAxis;
    }

    int TimeSeriesChart::pixelColumns() const
    {
        return m_pixelColumns >= 2 ? m_pixelColumns : FallbackPixelColumns;
    }

    TimeSeriesChart::Decimation TimeSeriesChart::decimation() const
    {
        return m_decimation;
    }

    void TimeSeriesChart::setDecimation(Decimation decimation)
    {
        m_decimation = decimation;
    }

    void TimeSeriesChart::setTimeLabels(const QString &format, int tickCount)
    {
        m_timeAxis->setFormat(format);
        m_timeAxis->setTickCount(tickCount);
    }

    void TimeSeriesChart::setLines(double startMs, double endMs, const QList<QList<QPointF>> &lines)
    {
        Q_ASSERT(lines.size() == m_lines.size());
        if (startMs != m_startMs || endMs != m_endMs) {
            if (endMs - startMs != m_endMs - m_startMs)
                m_positionAxis->setRange(startMs - endMs, 0);
            m_startMs = startMs;
            m_endMs = endMs;
            m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(qint64(startMs)), QDateTime::fromMSecsSinceEpoch(qint64(endMs)));
        }
        const int columns = pixelColumns();
        QList<QList<QPointF>> shown;
        shown.reserve(lines.size());
        double highest = 0;
        for (const QList<QPointF> &line : lines) {
            QList<QPointF> points = m_decimation == Decimation::MinMaxPerPixel ? decimateMinMax(line, startMs, endMs, columns) : line;
            for (QPointF &point : points) {
                highest = qMax(highest, point.y());
                point.rx() -= endMs;
            }
            shown.append(std::move(points));
        }
        setValueRange(highest);
        for (qsizetype i = 0; i < m_lines.size() && i < shown.size(); ++i)
            m_lines[i].series->replace(shown[i]);
    }

    void TimeSeriesChart::setValueRange(double highest)
    {
        // Four steps that read well, with some headroom over the highest point; 0..1 while everything is 0.
        const double step = highest > 0 ? niceStep(highest * 1.08 / (ValueTickCount - 1)) : 0.25;
        const double top = step * (ValueTickCount - 1);
        if (top == m_valueTop)
            return;
        m_valueTop = top;
        m_valueAxis->setLabelFormat(labelFormatFor(step));
        m_valueAxis->setRange(0, top);
    }

    void TimeSeriesChart::applyPalette(const QPalette &palette)
    {
        QChart *chart = this->chart();
        // setTheme() resets fonts, colours and the series' pens: everything below is applied again after it.
        chart->setTheme(isDarkPalette(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        chart->setDropShadowEnabled(false);
        chart->setBackgroundBrush(palette.color(QPalette::Base));
        chart->setBackgroundPen(QPen(palette.color(QPalette::Mid), 1));
        setBackgroundBrush(palette.color(QPalette::Window));

        m_textColor = palette.color(QPalette::Text);
        QColor muted = m_textColor;
        muted.setAlphaF(0.7f);
        QColor grid = m_textColor;
        grid.setAlphaF(0.12f);

        QFont titleFont = font();
        titleFont.setBold(true);
        titleFont.setPointSizeF(font().pointSizeF() + 0.5);
        chart->setTitleFont(titleFont);
        chart->setTitleBrush(m_textColor);

        QFont small = font();
        small.setPointSizeF(qMax(7.0, font().pointSizeF() - 1));
        chart->legend()->setFont(small);
        chart->legend()->setLabelColor(m_textColor);
        for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_timeAxis), static_cast<QAbstractAxis *>(m_valueAxis)}) {
            axis->setLabelsFont(small);
            axis->setLabelsColor(muted);
            axis->setTitleFont(small);
            axis->setTitleBrush(muted);
            axis->setGridLineColor(grid);
            axis->setLinePenColor(grid);
        }
        m_timeAxis->setGridLineVisible(false);
        for (const Line &line : std::as_const(m_lines))
            styleLine(line);
    }

    void TimeSeriesChart::styleLine(const Line &line)
    {
        // A cosmetic pen of at most 1 px takes the raster engine's fast stroker; at 1.6 px the same min/max
        // zigzag of a noisy hour costs several times more to draw (bench/benchdashboard).
        QPen pen(line.color, 1);
        pen.setCosmetic(true);
        line.series->setPen(pen);
    }
}
