#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>

class QDateTimeAxis;
class QValueAxis;
class QXYSeries;

namespace Aq::Ui
{
    // One live chart of the dashboard: lines over a time axis (x in ms since the epoch, as displayed) and a value
    // axis from 0 with its unit in the title. The series, axes and legend are made once; each update decimates
    // every line to the plot's pixel width and hands it over with exactly one QXYSeries::replace().
    //
    // A series recomputes its whole geometry (and, in Qt Charts 6.4, a stroked outline for mouse picking: the
    // larger part of a tick) on every replace() and on every range change of an axis it is attached to. The time
    // moves on every tick, so the lines are attached to a hidden axis of fixed range instead (ms before the right
    // edge), and the visible time axis only carries an empty series (Qt Charts draws no axis without one) and moves
    // its labels. The value axis changes, rarely, before the replace(). So a tick computes each line's geometry once.
    class TimeSeriesChart : public QChartView
    {
        Q_OBJECT

    public:
        enum class Decimation
        {
            MinMaxPerPixel,
            None        // every point, for comparison in benchmarks
        };

        TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent = nullptr);

        // Adds a line, in legend order; returns its index.
        int addLine(const QString &name, const QColor &color);
        int lineCount() const;
        // Its points' x: ms before the right edge (0 at the newest point of a full window, negative before).
        QXYSeries *lineSeries(int index) const;
        QDateTimeAxis *timeAxis() const;
        QValueAxis *valueAxis() const;

        // How many pixel columns the plot has: what the lines are decimated to.
        int pixelColumns() const;
        Decimation decimation() const;
        void setDecimation(Decimation decimation);
        // QDateTime format of the time labels, and how many of them.
        void setTimeLabels(const QString &format, int tickCount);
        // One list per line, sorted by x; x from startMs to endMs. The value axis grows to the highest point.
        void setLines(double startMs, double endMs, const QList<QList<QPointF>> &lines);
        // Light or dark chart theme after the palette (Qt 6.4 has no colour scheme to ask), background from it.
        void applyPalette(const QPalette &palette);

    signals:
        void pixelColumnsChanged(int columns);

    private:
        struct Line
        {
            QXYSeries *series;
            QColor color;
        };

        void styleLine(const Line &line);
        void setValueRange(double highest);

        QList<Line> m_lines;
        QDateTimeAxis *m_timeAxis;
        QValueAxis *m_positionAxis;
        QXYSeries *m_timeAnchor;
        QValueAxis *m_valueAxis;
        Decimation m_decimation = Decimation::MinMaxPerPixel;
        int m_pixelColumns = 0;
        double m_startMs = 0;
        double m_endMs = 0;
        double m_valueTop = -1;
        QColor m_textColor;
    };
}
