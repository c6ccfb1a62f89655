#include <QRandomGenerator>
#include <QTest>

#include "core/common/base64.h"

namespace Base64 = Aq::Base64;

class TestBase64 final : public QObject
{
    Q_OBJECT

private slots:
    void testSameAsQByteArray()
    {
        QRandomGenerator random(42);
        for (int size = 0; size < 200; ++size) {
            QByteArray bytes(size, Qt::Uninitialized);
            for (char &c : bytes)
                c = char(random.bounded(256));
            QByteArray appended = "prefix";
            Base64::append(bytes, appended);
            QCOMPARE(appended, "prefix" + bytes.toBase64());
            if (size > 0)
                QCOMPARE(Base64::decodeCanonical(bytes.toBase64()), std::optional<QByteArray>(bytes));
        }
    }

    void testOnlyCanonicalTextDecodes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("unpadded") << QByteArray("aGk");
        QTest::newRow("url-safe") << QByteArray("-_8A");
        QTest::newRow("spaces") << QByteArray(" YQ==");
        QTest::newRow("inner padding") << QByteArray("YQ==YQ==");
        QTest::newRow("three padding") << QByteArray("Y===");
        QTest::newRow("only padding") << QByteArray("====");
        QTest::newRow("line break") << QByteArray("YWJj\nYWJj");
    }

    void testOnlyCanonicalTextDecodes()
    {
        QFETCH(QByteArray, text);
        QVERIFY(!Base64::decodeCanonical(text).has_value());
    }
};

QTEST_APPLESS_MAIN(TestBase64)
#include "testbase64.moc"
