#include <QTest>

#include "core/localcloud/cellbatch.h"
#include "core/localcloud/sqlitedatabase.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::LocalCloud;

class TestCellBatch final : public QObject
{
    Q_OBJECT

private slots:
    void testCellsKeepTheirKindAndBytes()
    {
        CellBatch cells(5);
        QCOMPARE(cells.addRow(), 0);
        QCOMPARE(cells.addRow(), 1);
        QCOMPARE(cells.rowCount(), 2);
        cells.setInteger(0, 0, -42);
        cells.setReal(0, 1, 1.5);
        cells.setText(0, 2, std::string_view("h\xc3\xa9\0llo", 7));
        cells.setBlob(0, 3, {});
        cells.set(1, 2, SqlValue(u"é"_s));
        cells.set(1, 3, SqlValue(QByteArray("\x01\x02", 2)));
        QVERIFY(cells.isNull(0, 4));
        QVERIFY(cells.isNull(1, 0));
        QCOMPARE(std::get<qint64>(cells.value(0, 0)), -42);
        QCOMPARE(std::get<double>(cells.value(0, 1)), 1.5);
        QCOMPARE(cells.bytes(0, 2), std::string_view("h\xc3\xa9\0llo", 7));
        QCOMPARE(std::get<QByteArray>(cells.value(0, 3)), QByteArray());
        QCOMPARE(std::get<QString>(cells.value(1, 2)), u"é"_s);
        QCOMPARE(std::get<QByteArray>(cells.value(1, 3)), QByteArray("\x01\x02", 2));
        // a later value replaces an earlier one
        cells.setInteger(0, 2, 7);
        QVERIFY(cells.bytes(0, 2).empty());
        cells.setNull(0, 2);
        QVERIFY(cells.isNull(0, 2));
    }

    void testBoundRowsReachSQLiteAsTheyAre()
    {
        SqliteDatabase db;
        QVERIFY(db.open(u":memory:"_s, SqliteDatabase::OpenMode::ReadWrite).hasValue());
        QVERIFY(db.exec("CREATE TABLE t(a, b, c, d, e)").hasValue());
        CellBatch cells(5);
        cells.addRow();
        cells.setInteger(0, 0, 9007199254740993LL);
        cells.setReal(0, 1, 0.25);
        // UTF-8 as sent, even a leading byte order mark, which a QString round trip would drop
        cells.setText(0, 2, "\xef\xbb\xbfx");
        cells.setBlob(0, 3, {});   // an empty BLOB is a BLOB, not NULL
        auto insert = db.prepare("INSERT INTO t VALUES(?, ?, ?, ?, ?)");
        QVERIFY(insert.hasValue());
        cells.bindRow(**insert, 0, 1);
        (*insert)->step();
        QVERIFY(!(*insert)->hasError());
        (*insert)->reset();
        auto select = db.prepare("SELECT a, b, c, typeof(d), e IS NULL FROM t");
        QVERIFY((*select)->step());
        QCOMPARE((*select)->int64(0), 9007199254740993LL);
        QCOMPARE((*select)->real(1), 0.25);
        QCOMPARE((*select)->textUtf8(2), QByteArray("\xef\xbb\xbfx"));
        QCOMPARE((*select)->text(3), u"blob"_s);
        QCOMPARE((*select)->int64(4), 1);
        (*select)->reset();
    }
};

QTEST_APPLESS_MAIN(TestCellBatch)
#include "testcellbatch.moc"
