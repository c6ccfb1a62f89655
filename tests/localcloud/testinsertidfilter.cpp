#include <QTest>

#include "core/localcloud/insertidfilter.h"

using namespace Qt::Literals::StringLiterals;
using Aq::LocalCloud::InsertIdFilter;

class TestInsertIdFilter final : public QObject
{
    Q_OBJECT

private slots:
    void testNoFalseNegativesAndFewFalsePositives()
    {
        InsertIdFilter filter(20);   // 1 Mi bits
        filter.clear(true);
        QVERIFY(filter.isComplete());
        for (int i = 0; i < 50000; ++i)
            filter.add(7, u"evt-%1"_s.arg(i));
        for (int i = 0; i < 50000; ++i)
            QVERIFY(filter.mayContain(7, u"evt-%1"_s.arg(i)));
        int falsePositives = 0;
        for (int i = 50000; i < 100000; ++i)
            falsePositives += filter.mayContain(7, u"evt-%1"_s.arg(i)) ? 1 : 0;
        // 50k ids in 1 Mi bits with 4 hashes: about 1 % expected
        QVERIFY2(falsePositives < 2500, qPrintable(QString::number(falsePositives)));
        // the same id in another table is another key
        int otherTable = 0;
        for (int i = 0; i < 1000; ++i)
            otherTable += filter.mayContain(8, u"evt-%1"_s.arg(i)) ? 1 : 0;
        QVERIFY(otherTable < 100);
        filter.clear(false);
        QVERIFY(!filter.isComplete());
        QVERIFY(!filter.mayContain(7, u"evt-1"_s));
    }
};

QTEST_APPLESS_MAIN(TestInsertIdFilter)
#include "testinsertidfilter.moc"
