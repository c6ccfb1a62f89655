#include <QTest>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

class TestTimeUtil final : public QObject
{
    Q_OBJECT

private slots:
    void testParseTimestamp_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("micros");
        QTest::newRow("rfc3339 Z") << u"2024-05-01T12:00:00Z"_s << 1714564800000000LL;
        QTest::newRow("millis") << u"2024-05-01T12:00:00.123Z"_s << 1714564800123000LL;
        QTest::newRow("micros") << u"2024-05-01T12:00:00.123456Z"_s << 1714564800123456LL;
        QTest::newRow("nanos truncated") << u"2024-05-01T12:00:00.123456789Z"_s << 1714564800123456LL;
        QTest::newRow("offset") << u"2024-05-01T14:00:00+02:00"_s << 1714564800000000LL;
        QTest::newRow("space UTC") << u"2024-05-01 12:00:00 UTC"_s << 1714564800000000LL;
        QTest::newRow("no zone") << u"2024-05-01 12:00:00.5"_s << 1714564800500000LL;
        QTest::newRow("date only") << u"2024-05-01"_s << 1714521600000000LL;
        QTest::newRow("epoch seconds") << u"1714564800.25"_s << 1714564800250000LL;
        QTest::newRow("before epoch") << u"1969-12-31T23:59:59.5Z"_s << -500000LL;
    }

    void testParseTimestamp()
    {
        QFETCH(QString, text);
        QFETCH(qint64, micros);
        const std::optional<qint64> parsed = Aq::Time::parseTimestamp(text);
        QVERIFY2(parsed.has_value(), qPrintable(text));
        QCOMPARE(*parsed, micros);
    }

    void testRejectsBadTimestamps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("month 13") << u"2024-13-01T00:00:00Z"_s;
        QTest::newRow("feb 30") << u"2024-02-30T00:00:00Z"_s;
        QTest::newRow("hour 24") << u"2024-05-01T24:00:00Z"_s;
        QTest::newRow("words") << u"yesterday"_s;
        QTest::newRow("bad offset") << u"2024-05-01T12:00:00+25:00"_s;
    }

    void testRejectsBadTimestamps()
    {
        QFETCH(QString, text);
        QVERIFY(!Aq::Time::parseTimestamp(text).has_value());
    }

    void testFormatRoundTrips()
    {
        QCOMPARE(Aq::Time::formatRfc3339(1714564800000000LL), u"2024-05-01T12:00:00Z"_s);
        QCOMPARE(Aq::Time::formatRfc3339(1714564800123000LL), u"2024-05-01T12:00:00.123Z"_s);
        QCOMPARE(Aq::Time::formatRfc3339(1714564800123456LL), u"2024-05-01T12:00:00.123456Z"_s);
        QCOMPARE(Aq::Time::formatRfc3339(-500000LL), u"1969-12-31T23:59:59.500Z"_s);
        QCOMPARE(Aq::Time::formatRfc3339Fixed(0, 6), u"1970-01-01T00:00:00.000000Z"_s);
        for (qint64 t : {0LL, 1LL, 951782400000001LL, 4102444799999999LL, -62135596800000000LL}) {
            QCOMPARE(Aq::Time::parseTimestamp(Aq::Time::formatRfc3339(t)).value_or(-1), t);
        }
    }

    void testDurations()
    {
        QCOMPARE(Aq::Time::parseDuration(u"600s"_s).value_or(-1), 600000000LL);
        QCOMPARE(Aq::Time::parseDuration(u"10.5s"_s).value_or(-1), 10500000LL);
        QVERIFY(!Aq::Time::parseDuration(u"10m"_s));
        QCOMPARE(Aq::Time::formatDuration(86400000000LL), u"86400s"_s);
        QCOMPARE(Aq::Time::formatDuration(10500000LL), u"10.5s"_s);
    }

    void testCivilTypes()
    {
        QCOMPARE(Aq::Time::normalizeDate(u"2024-5-1"_s).value_or(QString()), u"2024-05-01"_s);
        QVERIFY(!Aq::Time::normalizeDate(u"2023-02-29"_s));
        QCOMPARE(Aq::Time::normalizeTime(u"12:34:56.500"_s).value_or(QString()), u"12:34:56.5"_s);
        QCOMPARE(Aq::Time::normalizeDatetime(u"2024-05-01 12:34"_s).value_or(QString()), u"2024-05-01T12:34:00"_s);
        QVERIFY(!Aq::Time::normalizeDatetime(u"2024-05-01T25:00:00"_s));
    }
};

QTEST_APPLESS_MAIN(TestTimeUtil)
#include "testtimeutil.moc"
