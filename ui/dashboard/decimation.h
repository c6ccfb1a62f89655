#pragma once

#include <QList>
#include <QPointF>

namespace Aq::Ui
{
    // Min/max decimation for a line chart: [xMin, xMax] is cut into `columns` equal slices (the plot's pixel
    // columns), and the points of each slice collapse to its lowest and its highest point, kept in their x order
    // (one point when they are the same). A line through the result covers, in every column, the same vertical span
    // as a line through all the points, so peaks and dips survive at any zoom; the result has at most 2 * columns
    // points. `points` must be sorted by x; points outside [xMin, xMax] count in the first or last column. When
    // there are no more than 2 * columns points, they are returned as they are (sharing the list's data).
    QList<QPointF> decimateMinMax(const QList<QPointF> &points, double xMin, double xMax, int columns);
}
