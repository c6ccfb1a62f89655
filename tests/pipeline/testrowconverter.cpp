#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "core/pipeline/rowconverter.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Pipeline;

namespace
{
    PubSub::PubsubMessage message(const QByteArray &data)
    {
        PubSub::PubsubMessage m;
        m.data = data;
        m.messageId = u"1001"_s;
        m.publishTimeMicros = 1714564800123456;   // 2024-05-01T12:00:00.123456Z
        return m;
    }

    QJsonObject rowOf(const Result<ConvertedRow> &row)
    {
        return row ? QJsonDocument::fromJson(row->json).object() : QJsonObject {};
    }

    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }

    BigQuery::TableSchema schemaOf(const char *json)
    {
        return *BigQuery::TableSchema::fromJson(QJsonDocument::fromJson(json).object());
    }

    const qint64 IngestTime = 1714564801000000;   // 2024-05-01T12:00:01Z
}

class TestRowConverter final : public QObject
{
    Q_OBJECT

private slots:
    void theSeedsEventShapeMapsToTheDefaultSchema()
    {
        const RowConverter converter(RowConverter::defaultSchema());
        QVERIFY(converter.isDefaultSchema());
        const Result<ConvertedRow> row = converter.convert(
            message("{\"event_id\":\"e-1\",\"timestamp\":\"2024-05-01T11:59:59Z\",\"event_data\":{\"event_type\":\"click\",\"user_id\":\"u7\",\"page\":\"/a\"}}"),
            u"projects/p/topics/events"_s, IngestTime);
        QVERIFY2(row, qPrintable(whyNot(row)));
        QCOMPARE(row->insertId, u"e-1"_s);
        QCOMPARE(row->eventTimeMicros, 1714564799000000);
        const QJsonObject json = rowOf(row);
        QCOMPARE(json.value(u"event_id"_s).toString(), u"e-1"_s);
        QCOMPARE(json.value(u"event_type"_s).toString(), u"click"_s);
        QCOMPARE(json.value(u"user_id"_s).toString(), u"u7"_s);
        QCOMPARE(json.value(u"timestamp"_s).toString(), u"2024-05-01T11:59:59Z"_s);
        QCOMPARE(QJsonDocument::fromJson(json.value(u"event_data"_s).toString().toUtf8()).object().value(u"page"_s).toString(), u"/a"_s);
        QCOMPARE(json.value(u"message_id"_s).toString(), u"1001"_s);
        QCOMPARE(json.value(u"publish_time"_s).toString(), u"2024-05-01T12:00:00.123456Z"_s);
        QCOMPARE(json.value(u"ingest_time"_s).toString(), u"2024-05-01T12:00:01Z"_s);
    }

    void theRowTextIsWhatQJsonDocumentWrites()
    {
        // The seeds' events take a fast path (simdjson, the row written directly); its text must stay byte for byte
        // what QJsonDocument wrote before it: keys sorted, event_data compact with sorted keys, numbers and escapes
        // as Qt writes them. The expected text is the output of the QJsonObject-based converter.
        const RowConverter converter(RowConverter::defaultSchema());
        const QByteArray event = "{\"event_id\":\"e-2\",\"timestamp\":\"2024-05-01T11:59:59.250Z\",\"event_type\":\"purchase\","
                                 "\"user_id\":\"user_42\",\"event_data\":{\"page\":\"/checkout\",\"browser\":\"Firefox\",\"amount\":59.99,"
                                 "\"items\":3,\"tags\":[\"a\\\"b\",null,true],\"event_type\":\"purchase\"}}";
        const Result<ConvertedRow> row = converter.convert(message(event), u"projects/p/topics/events"_s, IngestTime);
        QVERIFY2(row, qPrintable(whyNot(row)));
        QCOMPARE(row->json, QByteArray("{\"event_data\":\"{\\\"amount\\\":59.99,\\\"browser\\\":\\\"Firefox\\\","
                                       "\\\"event_type\\\":\\\"purchase\\\",\\\"items\\\":3,\\\"page\\\":\\\"/checkout\\\","
                                       "\\\"tags\\\":[\\\"a\\\\\\\"b\\\",null,true]}\",\"event_id\":\"e-2\","
                                       "\"event_type\":\"purchase\",\"ingest_time\":\"2024-05-01T12:00:01Z\",\"message_id\":\"1001\","
                                       "\"publish_time\":\"2024-05-01T12:00:00.123456Z\",\"timestamp\":\"2024-05-01T11:59:59.250Z\","
                                       "\"user_id\":\"user_42\"}"));
        QCOMPARE(row->insertId, u"e-2"_s);
        QCOMPARE(row->eventTimeMicros, 1714564799250000);

        // What the fast path leaves to the general one (here a non-ASCII string) converts to the same columns.
        const Result<ConvertedRow> accented = converter.convert(message(QByteArray(event).replace("Firefox", "Firéfox")), u"t"_s, IngestTime);
        QVERIFY2(accented, qPrintable(whyNot(accented)));
        QCOMPARE(rowOf(accented).keys(), rowOf(row).keys());
        QCOMPARE(QJsonDocument::fromJson(rowOf(accented).value(u"event_data"_s).toString().toUtf8()).object().value(u"browser"_s).toString(), u"Firéfox"_s);
    }

    void aFlatEventWithIdKeepsEverythingInEventData()
    {
        const RowConverter converter(RowConverter::defaultSchema());
        const Result<ConvertedRow> row = converter.convert(
            message("{\"id\":42,\"timestamp\":1714564800,\"event_type\":\"login\",\"country\":\"DE\"}"), u"t"_s, IngestTime);
        QVERIFY2(row, qPrintable(whyNot(row)));
        const QJsonObject json = rowOf(row);
        QCOMPARE(json.value(u"event_id"_s).toString(), u"42"_s);
        QCOMPARE(row->insertId, u"42"_s);
        QCOMPARE(json.value(u"event_type"_s).toString(), u"login"_s);
        QCOMPARE(json.value(u"timestamp"_s).toString(), u"2024-05-01T12:00:00Z"_s);
        QCOMPARE(QJsonDocument::fromJson(json.value(u"event_data"_s).toString().toUtf8()).object().value(u"country"_s).toString(), u"DE"_s);
    }

    void messagesThatCanNeverBeStoredSayWhy_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not JSON") << "hello"_ba << u"not JSON"_s;
        QTest::newRow("invalid UTF-8") << "{\"event_id\":\"\xff\xfe\"}"_ba << u"UTF-8"_s;
        QTest::newRow("array") << "[1,2]"_ba << u"not an object"_s;
        QTest::newRow("empty") << QByteArray() << u"no data"_s;
        QTest::newRow("no id") << "{\"timestamp\":\"2024-05-01T00:00:00Z\"}"_ba << u"event_id"_s;
        QTest::newRow("no timestamp") << "{\"event_id\":\"a\"}"_ba << u"timestamp"_s;
        QTest::newRow("bad timestamp") << "{\"event_id\":\"a\",\"timestamp\":\"yesterday\"}"_ba << u"yesterday"_s;
        QTest::newRow("object id") << "{\"event_id\":{},\"timestamp\":\"2024-05-01T00:00:00Z\"}"_ba << u"event_id"_s;
    }

    void messagesThatCanNeverBeStoredSayWhy()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, mentions);
        const RowConverter converter(RowConverter::defaultSchema());
        const Result<ConvertedRow> row = converter.convert(message(data), u"t"_s, IngestTime);
        QVERIFY(!row);
        QVERIFY2(row.error().message.contains(mentions), qPrintable(row.error().message));
        QVERIFY(!converter.validate(data));
    }

    void aUserSchemaTakesColumnsByNameWithEveryType()
    {
        const BigQuery::TableSchema schema = schemaOf(
            "{\"fields\":[{\"name\":\"order_id\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},{\"name\":\"qty\",\"type\":\"INT64\"},"
            "{\"name\":\"price\",\"type\":\"NUMERIC\"},{\"name\":\"ok\",\"type\":\"BOOL\"},{\"name\":\"day\",\"type\":\"DATE\"},"
            "{\"name\":\"tags\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},"
            "{\"name\":\"lines\",\"type\":\"RECORD\",\"mode\":\"REPEATED\",\"fields\":[{\"name\":\"sku\",\"type\":\"STRING\"},{\"name\":\"n\",\"type\":\"INT64\"}]},"
            "{\"name\":\"message_id\",\"type\":\"STRING\"},{\"name\":\"ingest_time\",\"type\":\"TIMESTAMP\"}]}");
        RowConverterOptions options;
        options.keyColumn = u"order_id"_s;
        const RowConverter converter(schema, options);
        QVERIFY(!converter.isDefaultSchema());
        const Result<ConvertedRow> row = converter.convert(
            message("{\"order_id\":\"o-9\",\"qty\":\"3\",\"price\":1.5e2,\"ok\":\"true\",\"day\":\"2024-05-01\",\"tags\":[\"x\"],"
                    "\"lines\":[{\"sku\":\"A\",\"n\":2}],\"extra\":1}"),
            u"t"_s, IngestTime);
        QVERIFY2(row, qPrintable(whyNot(row)));
        QCOMPARE(row->insertId, u"o-9"_s);
        const QJsonObject json = rowOf(row);
        QCOMPARE(json.value(u"qty"_s).toString(), u"3"_s);
        QCOMPARE(json.value(u"price"_s).toString(), u"150"_s);
        QCOMPARE(json.value(u"ok"_s).toBool(), true);
        QCOMPARE(json.value(u"lines"_s).toArray().first().toObject().value(u"n"_s).toString(), u"2"_s);
        QCOMPARE(json.value(u"message_id"_s).toString(), u"1001"_s);
        QCOMPARE(json.value(u"ingest_time"_s).toString(), u"2024-05-01T12:00:01Z"_s);
        QVERIFY(!json.contains(u"extra"_s));   // unknown fields are dropped by default

        RowConverterOptions strict = options;
        strict.unknownFields = UnknownFields::Reject;
        const Result<ConvertedRow> refused = RowConverter(schema, strict).convert(message("{\"order_id\":\"o\",\"extra\":1}"), u"t"_s, IngestTime);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(u"extra"_s), qPrintable(refused.error().message));
    }

    void wrongTypesNameTheField_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("int") << "{\"order_id\":\"o\",\"qty\":\"three\"}"_ba << u"field qty"_s;
        QTest::newRow("fraction") << "{\"order_id\":\"o\",\"qty\":1.5}"_ba << u"field qty"_s;
        QTest::newRow("numeric") << "{\"order_id\":\"o\",\"price\":\"1e99\"}"_ba << u"field price"_s;
        QTest::newRow("bool") << "{\"order_id\":\"o\",\"ok\":\"yes\"}"_ba << u"field ok"_s;
        QTest::newRow("date") << "{\"order_id\":\"o\",\"day\":\"May 1st\"}"_ba << u"field day"_s;
        QTest::newRow("repeated") << "{\"order_id\":\"o\",\"tags\":\"x\"}"_ba << u"field tags"_s;
        QTest::newRow("record") << "{\"order_id\":\"o\",\"lines\":[5]}"_ba << u"field lines[0]"_s;
        QTest::newRow("nested") << "{\"order_id\":\"o\",\"lines\":[{\"n\":\"x\"}]}"_ba << u"field lines[0].n"_s;
        QTest::newRow("required") << "{\"qty\":1}"_ba << u"field order_id"_s;
    }

    void wrongTypesNameTheField()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, mentions);
        const BigQuery::TableSchema schema = schemaOf(
            "{\"fields\":[{\"name\":\"order_id\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},{\"name\":\"qty\",\"type\":\"INT64\"},"
            "{\"name\":\"price\",\"type\":\"NUMERIC\"},{\"name\":\"ok\",\"type\":\"BOOL\"},{\"name\":\"day\",\"type\":\"DATE\"},"
            "{\"name\":\"tags\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},"
            "{\"name\":\"lines\",\"type\":\"RECORD\",\"mode\":\"REPEATED\",\"fields\":[{\"name\":\"sku\",\"type\":\"STRING\"},{\"name\":\"n\",\"type\":\"INT64\"}]}]}");
        const Status status = RowConverter(schema).validate(data);
        QVERIFY(!status);
        QVERIFY2(status.error().message.contains(mentions), qPrintable(status.error().message));
    }

    void withoutAKeyColumnTheInsertIdIsTopicMessageAndPublishTime()
    {
        const RowConverter converter(schemaOf("{\"fields\":[{\"name\":\"v\",\"type\":\"STRING\"}]}"));
        const Result<ConvertedRow> row = converter.convert(message("{\"v\":\"x\"}"), u"projects/p/topics/t"_s, IngestTime);
        QVERIFY(row);
        QCOMPARE(row->insertId, u"projects/p/topics/t:1001:1714564800123456"_s);
    }
};

QTEST_GUILESS_MAIN(TestRowConverter)
#include "testrowconverter.moc"
