#include <cmath>
#include <random>

#include <QtTest>

#include "ui/dashboard/decimation.h"

using namespace Aq::Ui;

namespace
{
    // A noisy signal with a one-sample spike and a one-sample dip, one point per second for an hour.
    QList<QPointF> noisyHour(int count)
    {
        std::mt19937 random(7);
        std::normal_distribution<double> noise(0, 5);
        QList<QPointF> points;
        for (int i = 0; i < count; ++i)
            points.append({1'700'000'000'000.0 + i * 1000.0, 100 + 20 * std::sin(i / 90.0) + noise(random)});
        points[count / 3].setY(900);
        points[2 * count / 3].setY(-400);
        return points;
    }

    int columnOf(double x, double xMin, double xMax, int columns)
    {
        return int(qBound(0.0, std::floor((x - xMin) * columns / (xMax - xMin)), double(columns - 1)));
    }
}

class TestDashboardDecimation final : public QObject
{
    Q_OBJECT

private slots:
    void testKeepsMinAndMaxOfEveryColumn_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("columns");
        QTest::newRow("3600 points, 600 columns") << 3600 << 600;
        QTest::newRow("3600 points, 577 columns") << 3600 << 577;
        QTest::newRow("3600 points, 1 column") << 3600 << 1;
        QTest::newRow("10000 points, 1999 columns") << 10000 << 1999;
        QTest::newRow("901 points, 450 columns") << 901 << 450;
    }

    void testKeepsMinAndMaxOfEveryColumn()
    {
        QFETCH(int, count);
        QFETCH(int, columns);
        const QList<QPointF> points = noisyHour(count);
        const double xMin = points.front().x();
        const double xMax = points.back().x();
        const QList<QPointF> result = decimateMinMax(points, xMin, xMax, columns);

        QVERIFY(result.size() <= 2 * columns);
        QVERIFY(result.size() < points.size());
        for (qsizetype i = 1; i < result.size(); ++i)
            QVERIFY2(result[i].x() > result[i - 1].x(), "x must increase");

        // Per column: the same lowest and highest value, and only points of the input.
        QHash<int, QPair<double, double>> expected;
        for (const QPointF &point : points) {
            const int column = columnOf(point.x(), xMin, xMax, columns);
            auto it = expected.find(column);
            if (it == expected.end())
                expected.insert(column, {point.y(), point.y()});
            else
                *it = {qMin(it->first, point.y()), qMax(it->second, point.y())};
        }
        QHash<int, QPair<double, double>> actual;
        for (const QPointF &point : result) {
            QVERIFY(points.contains(point));
            const int column = columnOf(point.x(), xMin, xMax, columns);
            auto it = actual.find(column);
            if (it == actual.end())
                actual.insert(column, {point.y(), point.y()});
            else
                *it = {qMin(it->first, point.y()), qMax(it->second, point.y())};
        }
        QCOMPARE(actual, expected);
        // The spike and the dip survive.
        QVERIFY(result.contains(points[count / 3]));
        QVERIFY(result.contains(points[2 * count / 3]));
    }

    void testFewPointsPassUnchanged()
    {
        const QList<QPointF> points = noisyHour(60);
        QCOMPARE(decimateMinMax(points, points.front().x(), points.back().x(), 600), points);
        QCOMPARE(decimateMinMax(points, points.front().x(), points.back().x(), 30), points);
        QCOMPARE(decimateMinMax({}, 0, 1, 10), QList<QPointF>());
    }

    void testOneOrTwoPointsPerColumn()
    {
        // A flat column gives one point; a column with a rise gives its low then its high, in x order.
        const QList<QPointF> points {{0, 5}, {1, 5}, {2, 5}, {3, 5}, {4, 9}, {5, 1}, {6, 3}, {7, 3}};
        const QList<QPointF> result = decimateMinMax(points, 0, 8, 2);
        const QList<QPointF> expected {{0, 5}, {4, 9}, {5, 1}};
        QCOMPARE(result, expected);
    }

    void testPointsOutsideTheRangeGoToTheEdges()
    {
        QList<QPointF> points;
        for (int i = -50; i < 150; ++i)
            points.append({double(i), double(i % 7)});
        points.append({1e300, 42});
        const QList<QPointF> result = decimateMinMax(points, 0, 100, 10);
        QVERIFY(result.size() <= 20);
        QVERIFY(result.contains(QPointF(1e300, 42)));
        for (qsizetype i = 1; i < result.size(); ++i)
            QVERIFY(result[i].x() > result[i - 1].x());
    }

    void testDegenerateRangeAndColumns()
    {
        const QList<QPointF> points = noisyHour(100);
        QVERIFY(decimateMinMax(points, 5, 5, 10).size() <= 2);
        QVERIFY(decimateMinMax(points, 0, 1, 0).size() <= 2);
    }
};

QTEST_APPLESS_MAIN(TestDashboardDecimation)
#include "testdashboarddecimation.moc"
