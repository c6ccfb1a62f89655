// A JSON column sent as its text (as Google's Node client and our pipeline send it) is stored in QJsonDocument's
// compact form whichever path insertAll takes: the simdjson one where it can write that form exactly, the
// QJsonDocument one for the rest (non-ASCII, duplicate keys, integers past 2^53).

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "core/bigquery/tableschema.h"
#include "core/localcloud/rowcodec.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

class TestJsonColumn final : public QObject
{
    Q_OBJECT

private:
    static BigQuery::TableSchema schema()
    {
        BigQuery::TableField field;
        field.name = u"j"_s;
        field.type = BigQuery::FieldType::Json;
        BigQuery::TableSchema schema;
        schema.fields = {field};
        return schema;
    }

    static QByteArray qtCompact(const QByteArray &text)
    {
        const QByteArray array = QJsonDocument::fromJson("[" + text + "]").toJson(QJsonDocument::Compact);
        return array.mid(1, array.size() - 2);
    }

private slots:
    void storedAsQJsonDocumentWritesIt_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("keys unsorted") << QByteArray("{\"b\":1,\"a\":2}");
        QTest::newRow("array of scalars") << QByteArray("[1,2.5,\"x\",null,true,false]");
        QTest::newRow("nested, escapes") << QByteArray("{\"nested\":{\"z\":[{\"y\":1e3}],\"a\":\"q\\\"uo\\\\te\"}}");
        QTest::newRow("spaces") << QByteArray(" { \"spaced\" : [ 1 , 2 ] } ");
        QTest::newRow("integer") << QByteArray("5");
        QTest::newRow("integral double") << QByteArray("1.0");
        QTest::newRow("small double") << QByteArray("0.000001234");
        QTest::newRow("string") << QByteArray("\"str\"");
        QTest::newRow("non-ASCII") << QByteArray("{\"u\":\"\\u00e9t\\u00e9\",\"v\":\"ü\"}");
        QTest::newRow("control escape") << QByteArray("{\"t\":\"a\\tb\\n\"}");
        QTest::newRow("duplicate keys") << QByteArray("{\"a\":1,\"a\":2}");
        QTest::newRow("beyond 2^53") << QByteArray("9007199254740993");
        QTest::newRow("seeds' event_data") << QByteArray("{\"amount\":346.02,\"browser\":\"Safari\",\"country\":\"FR\",\"page\":\"/\",\"sequence\":9}");
    }

    void storedAsQJsonDocumentWritesIt()
    {
        QFETCH(QByteArray, text);
        const QJsonObject row {{u"json"_s, QJsonObject {{u"j"_s, QString::fromUtf8(text)}}}};
        const QByteArray body = QJsonDocument(QJsonObject {{u"rows"_s, QJsonArray {row}}}).toJson(QJsonDocument::Compact);
        const Result<LocalCloud::RowCodec::DecodedInsert> decoded = LocalCloud::RowCodec::decodeInsertAll(schema(), body, 10);
        QVERIFY2(decoded, decoded ? "" : qPrintable(decoded.error().message));
        QCOMPARE(decoded->rows.rowCount(), 1);
        QVERIFY(!decoded->anyInvalid);
        const std::string_view stored = decoded->rows.bytes(0, 0);
        QCOMPARE(QByteArray(stored.data(), qsizetype(stored.size())), qtCompact(text));
    }

    void invalidTextIsARowError()
    {
        const QByteArray body = "{\"rows\":[{\"json\":{\"j\":\"{not json\"}}]}";
        const Result<LocalCloud::RowCodec::DecodedInsert> decoded = LocalCloud::RowCodec::decodeInsertAll(schema(), body, 10);
        QVERIFY(decoded);
        QVERIFY(decoded->anyInvalid);
        QCOMPARE(decoded->errors.value(0).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestJsonColumn)
#include "testjsoncolumn.moc"
