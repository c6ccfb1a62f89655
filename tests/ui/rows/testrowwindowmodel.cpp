// RowWindowModel against a real local cloud in this process: counts, newest-first order with ties, a jump into a
// 50,000-row table, eviction while scrolling across all of it, filters (and a WHERE clause the server refuses),
// stale replies, and QAbstractItemModelTester while rows stream in.
#include <algorithm>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/rows/rowstestcloud.h"
#include "ui/rows/rowwindowmodel.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Ui;
using namespace Aq::Ui::Test;

namespace
{
    constexpr int BigRows = 50000;

    int keyColumn(const RowWindowModel &model)
    {
        return model.table().schema.indexOf(model.table().keyColumn);
    }

    QStringList idsOf(RowWindowModel &model, int first, int last)
    {
        QStringList ids;
        const int key = keyColumn(model);
        for (int row = first; row <= last; ++row)
            ids.append(model.rowValues(row).value(key).toString());
        return ids;
    }

    // Every row, scrolling page by page as a view would.
    QStringList allIds(RowWindowModel &model, int step)
    {
        QStringList ids;
        for (int first = 0; first < model.rowCount(); first += step) {
            const int last = qMin(model.rowCount() - 1, first + step - 1);
            model.setViewport(first, last);
            if (!waitLoaded(model, first, last))
                return {};
            ids += idsOf(model, first, last);
        }
        return ids;
    }

    QString listDiff(const QStringList &actual, const QStringList &expected)
    {
        if (actual.size() != expected.size())
            return u"%1 rows, expected %2"_s.arg(actual.size()).arg(expected.size());
        for (qsizetype i = 0; i < actual.size(); ++i) {
            if (actual[i] != expected[i])
                return u"row %1: %2, expected %3"_s.arg(i).arg(actual[i], expected[i]);
        }
        return {};
    }
}

class TestRowWindowModel final : public QObject
{
    Q_OBJECT

private:
    TestCloud m_cloud;

private slots:
    void initTestCase()
    {
        const Status opened = m_cloud.open();
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
        // The big table: 50,000 rows, three to a second.
        QVERIFY(m_cloud.createTable(u"big"_s));
        const Status inserted = m_cloud.insert(u"big"_s, generatedRows(0, BigRows));
        QVERIFY2(inserted, qPrintable(inserted ? QString() : inserted.error().message));
        QCOMPARE(m_cloud.scalar(u"SELECT COUNT(*) FROM %1"_s.arg(m_cloud.qualified(u"big"_s))), BigRows);
    }

    void countsAndOrdersNewestFirstWithTies()
    {
        // Ties on timestamp broken by ingest order; rows without ingest_time after those with one, by key.
        QVERIFY(m_cloud.createTable(u"ties"_s));
        QList<EventRow> rows;
        for (int i = 0; i < 700; ++i) {
            EventRow row = generatedRow(i);
            row.timestampMicros = BaseMicros + qint64((i * 7919) % 100) * 1000000;   // 7 rows per second, out of order
            if (i % 50 == 0)
                row.ingestMicros = 0;
            rows.append(row);
        }
        // Two batches: the second batch's ties come first.
        QVERIFY(m_cloud.insert(u"ties"_s, rows.mid(0, 350)));
        QVERIFY(m_cloud.insert(u"ties"_s, rows.mid(350)));

        QList<EventRow> expected = rows;
        std::sort(expected.begin(), expected.end(), [](const EventRow &a, const EventRow &b) {
            if (a.timestampMicros != b.timestampMicros)
                return a.timestampMicros > b.timestampMicros;
            if (a.ingestMicros != b.ingestMicros)
                return a.ingestMicros > b.ingestMicros;
            return a.id > b.id;
        });
        QStringList expectedIds;
        for (const EventRow &row : expected)
            expectedIds.append(row.id);

        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"ties"_s));
        model.setPageSize(50);
        model.setMaxLoadedPages(4);
        QVERIFY(waitReady(model));
        QCOMPARE(model.rowCount(), 700);
        QCOMPARE(model.totalRows(), 700);
        QCOMPARE(model.columnCount(), 8);
        const QStringList ids = allIds(model, 30);
        QVERIFY2(ids == expectedIds, qPrintable(listDiff(ids, expectedIds)));
        // Upwards too: pages fetched by keyset from the neighbour below.
        QStringList upwards;
        for (int last = model.rowCount() - 1; last >= 0; last -= 30) {
            const int first = qMax(0, last - 29);
            model.setViewport(first, last);
            QVERIFY(waitLoaded(model, first, last));
            upwards = idsOf(model, first, last) + upwards;
        }
        QVERIFY2(upwards == expectedIds, qPrintable(listDiff(upwards, expectedIds)));
        QVERIFY(model.loadedPageCount() <= 4);

        // Where every row has an ingest_time rising with insertion, the order is the local cloud's own
        // "newest first, ties by ingest order" (ORDER BY timestamp DESC, ingest order last).
        const QStringList byIngestOrder = [&] {
            QStringList ids;
            Result<BigQuery::QueryPage> page =
                m_cloud.query(u"SELECT event_id FROM %1 WHERE ingest_time IS NOT NULL ORDER BY timestamp DESC"_s.arg(m_cloud.qualified(u"ties"_s)));
            for (const QVariantList &row : std::as_const(page->rows))
                ids.append(row.value(0).toString());
            return ids;
        }();
        QStringList withIngest = expectedIds;
        withIngest.removeIf([&](const QString &id) { return id.mid(2).toInt() % 50 == 0; });
        QCOMPARE(byIngestOrder, withIngest);
    }

    void aJumpToTheMiddleShowsTheRightRows()
    {
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        QVERIFY(waitReady(model));
        QCOMPARE(model.rowCount(), BigRows);
        QVERIFY(model.isRowLoaded(0));
        QVERIFY(!model.isRowLoaded(25000));
        QCOMPARE(model.data(model.index(25000, 0)).toString(), u"\u2026"_s);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setViewport(25000, 25039);
        QVERIFY(waitLoaded(model, 25000, 25039));
        QVERIFY(!changed.isEmpty());
        const QStringList expected = m_cloud.orderedIds(u"big"_s, {}, 25000, 40);
        QCOMPARE(expected.size(), 40);
        QCOMPARE(idsOf(model, 25000, 25039), expected);
        // The data() a view paints: the key column's text, the timestamp as UTC.
        QCOMPARE(model.data(model.index(25000, keyColumn(model))).toString(), expected.first());
        QVERIFY(model.data(model.index(25000, 3)).toString().endsWith(u" UTC"_s));

        // Across a page boundary: the next page comes by keyset from this one.
        model.setViewport(25180, 25230);
        QVERIFY(waitLoaded(model, 25180, 25230));
        QCOMPARE(idsOf(model, 25180, 25230), m_cloud.orderedIds(u"big"_s, {}, 25180, 51));
        // The very end, and back to the start.
        model.setViewport(BigRows - 30, BigRows - 1);
        QVERIFY(waitLoaded(model, BigRows - 30, BigRows - 1));
        QCOMPARE(idsOf(model, BigRows - 30, BigRows - 1), m_cloud.orderedIds(u"big"_s, {}, BigRows - 30, 30));
        QCOMPARE(idsOf(model, BigRows - 1, BigRows - 1).first(), u"e-0000000"_s);
        model.setViewport(0, 39);
        QVERIFY(waitLoaded(model, 0, 39));
        QCOMPARE(idsOf(model, 0, 0).first(), u"e-%1"_s.arg(BigRows - 1, 7, 10, QChar(u'0')));
    }

    void jumpsIntoLongRunsOfTiesAndPastLateTies()
    {
        // 3,000 rows share the newest timestamp (more than the window a far jump reads), 3,000 older ones do not.
        QVERIFY(m_cloud.createTable(u"tierun"_s));
        QList<EventRow> rows;
        for (int i = 0; i < 6000; ++i) {
            EventRow row = generatedRow(i);
            row.timestampMicros = i >= 3000 ? BaseMicros + 100LL * 1000000 : BaseMicros + qint64(i) * 1000;
            rows.append(row);
        }
        QVERIFY(m_cloud.insert(u"tierun"_s, rows));
        const QStringList snapshot = m_cloud.orderedIds(u"tierun"_s);
        QCOMPARE(snapshot.size(), 6000);

        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"tierun"_s));
        model.setMaxLoadedPages(3);
        QVERIFY(waitReady(model));
        // Rows that share the top's timestamp but came later: outside this browse, ahead of it in the order.
        QList<EventRow> late;
        for (int i = 0; i < 12; ++i) {
            EventRow row = generatedRow(9000 + i);
            row.timestampMicros = BaseMicros + 100LL * 1000000;
            late.append(row);
        }
        QVERIFY(m_cloud.insert(u"tierun"_s, late));
        QCOMPARE(m_cloud.orderedIds(u"tierun"_s).mid(12), snapshot);

        for (int row : {2500, 4321, 2999, 3000, 5990, 2100}) {
            const int last = qMin(5999, row + 9);
            model.setViewport(row, last);
            QVERIFY2(waitLoaded(model, row, last), qPrintable(u"row %1"_s.arg(row)));
            QCOMPARE(idsOf(model, row, last), snapshot.mid(row, last - row + 1));
        }
        QCOMPARE(model.rowCount(), 6000);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() == 6012; }, 30000));
        model.setViewport(4000, 4010);
        QVERIFY(waitLoaded(model, 4000, 4010));
        QCOMPARE(idsOf(model, 4000, 4010), m_cloud.orderedIds(u"tierun"_s, {}, 4000, 11));
    }

    void evictionKeepsTheLoadedPagesBounded()
    {
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        model.setMaxLoadedPages(8);
        QVERIFY(waitReady(model));
        int most = 0;
        // Across the whole table, as a wheel would: every page is fetched by keyset from the one above.
        for (int first = 0; first < BigRows; first += 157) {
            const int last = qMin(BigRows - 1, first + 39);
            model.setViewport(first, last);
            QVERIFY2(waitLoaded(model, first, last), qPrintable(u"rows %1-%2 never loaded"_s.arg(first).arg(last)));
            most = qMax(most, model.loadedPageCount());
            QVERIFY2(model.loadedPageCount() <= 8, qPrintable(u"%1 pages loaded at row %2"_s.arg(model.loadedPageCount()).arg(first)));
        }
        QVERIFY(most >= 2);
        QVERIFY(!model.isRowLoaded(0));
        QVERIFY(!model.isRowLoaded(BigRows / 2));
        QVERIFY(model.isRowLoaded(BigRows - 1));
        // Evicted rows read as placeholders again and come back when asked.
        QCOMPARE(model.data(model.index(0, 0)).toString(), u"\u2026"_s);
        model.setViewport(0, 10);
        QVERIFY(waitLoaded(model, 0, 10));
        QCOMPARE(idsOf(model, 0, 10), m_cloud.orderedIds(u"big"_s, {}, 0, 11));
        // Random jumps: the same bound.
        for (int row : {41234, 7, 33333, 49999, 12000, 12100, 24999}) {
            model.setViewport(qMax(0, row - 20), row);
            QVERIFY(waitLoaded(model, qMax(0, row - 20), row));
            QCOMPARE(idsOf(model, row, row), m_cloud.orderedIds(u"big"_s, {}, row, 1));
            QVERIFY(model.loadedPageCount() <= 8);
        }
    }

    void filtersCountAndShowOnlyTheirRows_data()
    {
        QTest::addColumn<QString>("eventType");
        QTest::addColumn<QString>("userId");
        QTest::addColumn<qint64>("sinceSeconds");   // from BaseMicros; -1: none
        QTest::addColumn<qint64>("untilSeconds");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("sqlWhere");      // the same, for the direct query

        QTest::newRow("event_type") << u"purchase"_s << QString() << qint64(-1) << qint64(-1) << QString() << u"event_type = 'purchase'"_s;
        QTest::newRow("user_id") << QString() << u"user_0007"_s << qint64(-1) << qint64(-1) << QString() << u"user_id = 'user_0007'"_s;
        QTest::newRow("time range") << QString() << QString() << qint64(1000) << qint64(2500) << QString()
                                    << u"timestamp >= '2024-05-01 12:16:40 UTC' AND timestamp < '2024-05-01 12:41:40 UTC'"_s;
        QTest::newRow("WHERE on event_data") << QString() << QString() << qint64(-1) << qint64(-1)
                                             << u"JSON_VALUE(event_data, '$.page') = '/products/7' -- a comment"_s
                                             << u"JSON_VALUE(event_data, '$.page') = '/products/7'"_s;
        QTest::newRow("all of them") << u"click"_s << u"user_0001"_s << qint64(0) << qint64(16000) << u"(CAST(JSON_VALUE(event_data, '$.n') AS INT64) > 100) OR FALSE"_s
                                     << u"event_type = 'click' AND user_id = 'user_0001' AND timestamp >= '2024-05-01 12:00:00 UTC' AND timestamp < '2024-05-01 16:26:40 UTC' AND CAST(JSON_VALUE(event_data, '$.n') AS INT64) > 100"_s;
        QTest::newRow("a string with ; and )") << QString() << QString() << qint64(-1) << qint64(-1) << u"event_type != 'a;b)'"_s << u"TRUE"_s;
    }

    void filtersCountAndShowOnlyTheirRows()
    {
        QFETCH(QString, eventType);
        QFETCH(QString, userId);
        QFETCH(qint64, sinceSeconds);
        QFETCH(qint64, untilSeconds);
        QFETCH(QString, where);
        QFETCH(QString, sqlWhere);

        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        model.setPageSize(100);
        QVERIFY(waitReady(model));
        RowFilters filters;
        filters.eventType = eventType;
        filters.userId = userId;
        if (sinceSeconds >= 0)
            filters.sinceMicros = BaseMicros + sinceSeconds * 1000000;
        if (untilSeconds >= 0)
            filters.untilMicros = BaseMicros + untilSeconds * 1000000;
        filters.where = where;
        const Status applied = model.setFilters(filters);
        QVERIFY2(applied, qPrintable(applied ? QString() : applied.error().message));
        QVERIFY2(waitReady(model), qPrintable(model.errorMessage()));
        const qint64 expectedCount = m_cloud.scalar(u"SELECT COUNT(*) FROM %1 WHERE %2"_s.arg(m_cloud.qualified(u"big"_s), sqlWhere));
        QVERIFY(expectedCount > 0);
        QCOMPARE(model.totalRows(), expectedCount);
        QCOMPARE(model.rowCount(), int(expectedCount));
        const QStringList expected = m_cloud.orderedIds(u"big"_s, sqlWhere, 0, 300);
        const int shown = int(qMin<qint64>(300, expectedCount));
        model.setViewport(0, shown - 1);
        QVERIFY(waitLoaded(model, 0, shown - 1));
        QCOMPARE(idsOf(model, 0, shown - 1), expected);
        if (expectedCount > 1000) {
            const int middle = int(expectedCount / 2);
            model.setViewport(middle, middle + 20);
            QVERIFY(waitLoaded(model, middle, middle + 20));
            QCOMPARE(idsOf(model, middle, middle + 20), m_cloud.orderedIds(u"big"_s, sqlWhere, middle, 21));
        }
    }

    void aWhereClauseTheServerRefusesFailsVisibly()
    {
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        QVERIFY(waitReady(model));
        QSignalSpy errors(&model, &RowWindowModel::errorOccurred);
        RowFilters filters;
        filters.where = u"event_type = 'click' AND\nnope = 1"_s;
        QVERIFY(model.setFilters(filters));
        QVERIFY(QTest::qWaitFor([&] { return model.state() == RowWindowModel::State::Failed; }, 30000));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY2(model.errorMessage().contains(u"Unrecognized name: nope at [2:1] in the WHERE clause"_s), qPrintable(model.errorMessage()));
        QVERIFY(!errors.isEmpty());
        QCOMPARE(errors.last().first().toString(), model.errorMessage());

        // Refused before anything is sent: a second statement, parentheses that escape the condition.
        for (const QString &bad : {u"TRUE; DROP TABLE x"_s, u"TRUE) OR (TRUE"_s, u"(TRUE"_s, u"event_type = 'open"_s, u"TRUE /* unclosed"_s}) {
            filters.where = bad;
            const Status refused = model.setFilters(filters);
            QVERIFY2(!refused, qPrintable(bad));
        }
        // Clearing the filters recovers.
        QVERIFY(model.setFilters({}));
        QVERIFY(waitReady(model));
        QCOMPARE(model.rowCount(), BigRows);
        QVERIFY(model.errorMessage().isEmpty());
    }

    void staleRepliesAreIgnored()
    {
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        QVERIFY(waitReady(model));
        model.setViewport(30000, 30040);
        RowFilters clicks;
        clicks.eventType = u"click"_s;
        RowFilters purchases;
        purchases.eventType = u"purchase"_s;
        purchases.userId = u"user_0003"_s;
        // Several changes before any answer: only the last one counts.
        QVERIFY(model.setFilters(clicks));
        model.setViewport(100, 140);
        QVERIFY(model.setFilters({}));
        QVERIFY(model.setFilters(purchases));
        QVERIFY(waitReady(model));
        const qint64 expected = m_cloud.scalar(u"SELECT COUNT(*) FROM %1 WHERE event_type = 'purchase' AND user_id = 'user_0003'"_s.arg(m_cloud.qualified(u"big"_s)));
        QCOMPARE(model.totalRows(), expected);
        QTest::qWait(200);   // anything still on its way arrives now
        QCOMPARE(model.totalRows(), expected);
        QCOMPARE(model.rowCount(), int(expected));
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.isRowLoaded(row)) {
                QCOMPARE(model.rowValues(row).value(1).toString(), u"purchase"_s);
                QCOMPARE(model.rowValues(row).value(2).toString(), u"user_0003"_s);
            }
        }
    }

    void theModelTesterWhileRowsStreamIn()
    {
        QVERIFY(m_cloud.createTable(u"stream"_s));
        int next = 0;
        auto insertNewest = [&](int count) {
            next += count;
            return m_cloud.insert(u"stream"_s, generatedRows(next - count, next));
        };
        QVERIFY(insertNewest(450));

        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"stream"_s));
        model.setPageSize(40);
        model.setMaxLoadedPages(5);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(waitReady(model));
        QCOMPARE(model.rowCount(), 450);
        model.setViewport(200, 230);
        QVERIFY(waitLoaded(model, 200, 230));
        const QString atRow200 = idsOf(model, 200, 200).first();

        QSignalSpy arrived(&model, &RowWindowModel::rowsArrivedAtTop);
        for (int round = 0; round < 6; ++round) {
            // New rows at the top: inserted there, the loaded pages stay where their rows went.
            QVERIFY(insertNewest(37 + round * 11));
            const int before = model.rowCount();
            model.refresh();
            QVERIFY(QTest::qWaitFor([&] { return model.rowCount() == next; }, 30000));
            QCOMPARE(arrived.count(), round + 1);
            QCOMPARE(arrived.last().first().toInt(), next - before);
            QVERIFY(waitReady(model));
            model.setViewport(0, 30);
            QVERIFY(waitLoaded(model, 0, 30));
            QCOMPARE(idsOf(model, 0, 0).first(), u"e-%1"_s.arg(next - 1, 7, 10, QChar(u'0')));
            QVERIFY(model.loadedPageCount() <= 5);
        }
        // The row that was at 200 moved down by what arrived.
        model.setViewport(200 + next - 450, 200 + next - 450 + 10);
        QVERIFY(waitLoaded(model, 200 + next - 450, 200 + next - 450 + 10));
        QCOMPARE(idsOf(model, 200 + next - 450, 200 + next - 450).first(), atRow200);

        // Rows that land inside the window (late events, older than the top) start a new browse.
        QList<EventRow> late;
        for (int i = 0; i < 25; ++i) {
            EventRow row = generatedRow(100000 + i);
            row.timestampMicros = BaseMicros + 5LL * 1000000 + i;
            late.append(row);
        }
        QVERIFY(m_cloud.insert(u"stream"_s, late));
        QVERIFY(insertNewest(5));
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return model.rowCount() == next + 25; }, 30000));
        QVERIFY(waitReady(model));
        const QStringList expected = m_cloud.orderedIds(u"stream"_s);
        QCOMPARE(allIds(model, 35), expected);

        // Rows streaming in while the model scrolls and refreshes.
        for (int round = 0; round < 10; ++round) {
            QVERIFY(insertNewest(13));
            model.refresh();
            model.setViewport((round * 97) % model.rowCount(), (round * 97) % model.rowCount() + 25);
            QTest::qWait(5);
        }
        // A refresh asked for while one runs is dropped: ask until the count has caught up.
        QVERIFY(QTest::qWaitFor(
            [&] {
                if (model.rowCount() != next + 25)
                    model.refresh();
                return model.rowCount() == next + 25 && model.state() == RowWindowModel::State::Ready;
            },
            30000));
        QCOMPARE(allIds(model, 35), m_cloud.orderedIds(u"stream"_s));
    }

    void timesShowInUtcOrLocalTime()
    {
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"big"_s));
        QVERIFY(waitReady(model));
        const QModelIndex timestamp = model.index(BigRows - 1, 3);
        model.setViewport(BigRows - 1, BigRows - 1);
        QVERIFY(waitLoaded(model, BigRows - 1, BigRows - 1));
        QCOMPARE(model.data(timestamp).toString(), u"2024-05-01 12:00:00 UTC"_s);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setTimeDisplay(TimeDisplay::Local);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.data(timestamp).toString(), timestampText(BaseMicros, TimeDisplay::Local));
        QCOMPARE(model.data(model.index(BigRows - 1, 7)).toString(), timestampText(BaseMicros + 3600LL * 1000000, TimeDisplay::Local));
        model.setTimeDisplay(TimeDisplay::Utc);
        QCOMPARE(model.data(timestamp).toString(), u"2024-05-01 12:00:00 UTC"_s);
        // NULL cells read NULL, in the placeholder colour.
        QCOMPARE(model.data(model.index(BigRows - 1, 6)).toString(), u"NULL"_s);
        QVERIFY(model.data(model.index(BigRows - 1, 6), Qt::ForegroundRole).isValid());
    }

    void aTableCreatedLaterIsFoundByItself()
    {
        // The console opens before its pipeline has created the table.
        RowWindowModel model(m_cloud.client(), m_cloud.rowsTable(u"later"_s));
        QVERIFY(QTest::qWaitFor([&] { return model.state() == RowWindowModel::State::Failed; }, 10000));
        QVERIFY2(model.errorMessage().contains(u"Not found"_s), qPrintable(model.errorMessage()));
        QVERIFY(m_cloud.createTable(u"later"_s));
        QVERIFY(m_cloud.insert(u"later"_s, {generatedRow(1), generatedRow(2)}));
        QVERIFY(QTest::qWaitFor([&] { return model.state() == RowWindowModel::State::Ready; }, 10000));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowValues(0).value(0).toString(), u"e-0000002"_s);
    }

    void detachedWithoutAClient()
    {
        RowWindowModel model(nullptr, m_cloud.rowsTable(u"big"_s));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.state(), RowWindowModel::State::Detached);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), 8);
        model.setClient(m_cloud.client());
        QVERIFY(waitReady(model));
        QCOMPARE(model.rowCount(), BigRows);
        model.setClient(nullptr);
        QCOMPARE(model.state(), RowWindowModel::State::Detached);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestRowWindowModel)
#include "testrowwindowmodel.moc"
