#include "ui/dashboard/decimation.h"

#include <cmath>

namespace Aq::Ui
{
    QList<QPointF> decimateMinMax(const QList<QPointF> &points, double xMin, double xMax, int columns)
    {
        columns = qMax(1, columns);
        if (points.size() <= 2 * qsizetype(columns))
            return points;

        QList<QPointF> result;
        result.reserve(2 * qsizetype(columns));
        const double span = xMax - xMin;
        const double scale = span > 0 ? columns / span : 0;
        int column = -1;
        qsizetype lowest = 0;
        qsizetype highest = 0;
        const auto flush = [&] {
            if (column < 0)
                return;
            result.append(points[qMin(lowest, highest)]);
            if (lowest != highest)
                result.append(points[qMax(lowest, highest)]);
        };
        for (qsizetype i = 0; i < points.size(); ++i) {
            const QPointF &point = points[i];
            // Clamped as a double: a point far outside the range must not overflow the int.
            const int pointColumn = int(qBound(0.0, std::floor((point.x() - xMin) * scale), double(columns - 1)));
            if (pointColumn != column) {
                flush();
                column = pointColumn;
                lowest = i;
                highest = i;
            } else if (point.y() < points[lowest].y()) {
                lowest = i;
            } else if (point.y() > points[highest].y()) {
                highest = i;
            }
        }
        flush();
        return result;
    }
}
