// QtJson writes what QJsonDocument writes: the plain-string fast path (eight bytes at a time) against a byte-by-byte
// reference for every byte value at every position, and values from simdjson against QJsonDocument.

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include "core/common/qtjsonwriter.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    // What appendPlainString must do, one byte at a time.
    std::optional<QByteArray> referencePlainString(const QByteArray &text)
    {
        QByteArray out = "\"";
        for (const char c : text) {
            const auto u = uchar(c);
            if (u < 0x20 || u > 0x7e)
                return std::nullopt;
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        return out + '"';
    }
}

class TestQtJsonWriter final : public QObject
{
    Q_OBJECT

private slots:
    void plainStringsMatchTheReferenceForEveryByteAtEveryPosition()
    {
        const QByteArray base = "abcdefghijklmnopqrstu";   // 21 bytes: two words and a tail
        for (qsizetype length : {0, 1, 7, 8, 9, 16, 21}) {
            for (qsizetype position = 0; position < qMax<qsizetype>(length, 1); ++position) {
                for (int byte = 0; byte < 256; ++byte) {
                    QByteArray text = base.left(length);
                    if (length > 0)
                        text[position] = char(byte);
                    QByteArray out = "prefix";
                    const bool written = Aq::QtJson::appendPlainString(out, text.constData(), text.size());
                    const std::optional<QByteArray> expected = referencePlainString(text);
                    QCOMPARE(written, expected.has_value());
                    QCOMPARE(out, expected ? "prefix" + *expected : QByteArray("prefix"));
                }
            }
        }
    }

    void valuesMatchQJsonDocument_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("object") << QByteArray("{\"b\":[1,2.5,{\"d\":null,\"c\":true}],\"a\":\"x\\\\y\\\"z\"}");
        QTest::newRow("numbers") << QByteArray("[0,-1,1e300,1.5e-7,123456789012,-9007199254740992]");
        QTest::newRow("long plain string") << QByteArray("\"the quick brown fox jumps over the lazy dog, twice over\"");
    }

    void valuesMatchQJsonDocument()
    {
        QFETCH(QByteArray, json);
        simdjson::dom::parser parser;
        simdjson::dom::element element;
        QVERIFY(parser.parse(json.constData(), size_t(json.size())).get(element) == simdjson::SUCCESS);
        QByteArray out;
        QVERIFY(Aq::QtJson::append(out, element));
        const QByteArray array = QJsonDocument::fromJson("[" + json + "]").toJson(QJsonDocument::Compact);
        QCOMPARE(out, array.mid(1, array.size() - 2));
    }
};

QTEST_GUILESS_MAIN(TestQtJsonWriter)
#include "testqtjsonwriter.moc"
