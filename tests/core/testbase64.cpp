#include <QRandomGenerator>
#include <QTest>

#include "core/common/base64.h"

namespace Base64 = Aq::Base64;
using namespace Qt::Literals::StringLiterals;

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

    void testLongTextsDecodeBlockByBlock()
    {
        // long enough for the 32-character blocks, every letter of the alphabet in every position of a block
        QRandomGenerator random(7);
        for (int size : {33, 34, 35, 48, 96, 97, 300, 1000, 4099}) {
            QByteArray bytes(size, Qt::Uninitialized);
            for (char &c : bytes)
                c = char(random.bounded(256));
            QCOMPARE(Base64::decodeCanonical(bytes.toBase64()), std::optional<QByteArray>(bytes));
        }
        QByteArray every;
        for (int i = 0; i < 64 * 3; ++i)
            every += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 5) % 64];
        QCOMPARE(Base64::decodeCanonical(every), std::optional<QByteArray>(QByteArray::fromBase64(every)));
    }

    void testAForeignCharacterAnywhereInALongTextFails()
    {
        const QByteArray valid = QByteArray(150, 'x').toBase64();   // 200 characters, no padding
        for (const char bad : {'-', '_', ' ', '=', '\n', '.', '@', '[', '`', '{', '\0', char(0x80), char(0xff)}) {
            for (int at = 0; at < valid.size(); ++at) {
                if (bad == '=' && at == valid.size() - 1)
                    continue;   // that is padding
                QByteArray text = valid;
                text[at] = bad;
                QVERIFY2(!Base64::decodeCanonical(text).has_value(), qPrintable(u"0x%1 at %2"_s.arg(uchar(bad), 0, 16).arg(at)));
            }
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
