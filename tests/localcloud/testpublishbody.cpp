#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "core/localcloud/publishbody.h"

using namespace Qt::Literals::StringLiterals;
using Aq::LocalCloud::PublishedMessage;

namespace
{
    constexpr int MAX_MESSAGES = 1000;
    constexpr qint64 MAX_BYTES = 10000000;

    // What the body means, read with QJsonDocument as the API's rules say.
    QList<PublishedMessage> meaning(const QByteArray &body)
    {
        QList<PublishedMessage> out;
        for (const QJsonValue &value : QJsonDocument::fromJson(body).object().value(u"messages"_s).toArray()) {
            const QJsonObject message = value.toObject();
            PublishedMessage m;
            m.data = QByteArray::fromBase64(message.value(u"data"_s).toString().trimmed().toLatin1(), QByteArray::Base64UrlEncoding);
            if (m.data.isEmpty())
                m.data = QByteArray::fromBase64(message.value(u"data"_s).toString().trimmed().toLatin1());
            const QJsonObject attributes = message.value(u"attributes"_s).toObject();
            m.attributes = attributes.isEmpty() ? QByteArray() : QJsonDocument(attributes).toJson(QJsonDocument::Compact);
            m.orderingKey = message.value(u"orderingKey"_s).toString(message.value(u"ordering_key"_s).toString());
            out.append(m);
        }
        return out;
    }
}

class TestPublishBody final : public QObject
{
    Q_OBJECT

private slots:
    void testDecodesAsQJsonDocumentReadsIt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("seed event") << QByteArray(R"({"messages":[{"data":"eyJldmVudF9pZCI6IjEiLCJ0aW1lc3RhbXAiOiIyMDI0LTA1LTAxVDAwOjAwOjAwWiJ9"}]})");
        QTest::newRow("several, spaces") << QByteArray(R"( { "messages" : [ { "data" : "YQ==" } , { "data" : "YmM=" } , { "data" : "ZGVm" } ] } )");
        QTest::newRow("attributes sorted") << QByteArray(R"({"messages":[{"data":"YQ==","attributes":{"zeta":"1","alpha":"2","mid":"x y"}}]})");
        QTest::newRow("attributes only") << QByteArray(R"({"messages":[{"attributes":{"only":"attrs"}}]})");
        QTest::newRow("attributes to escape") << QByteArray("{\"messages\":[{\"data\":\"YQ==\",\"attributes\":{\"k\":\"a\\\"b\\\\c\\nd\\u0001 é\",\"é\":\"v\"}}]}");
        QTest::newRow("repeated attribute") << QByteArray(R"({"messages":[{"data":"YQ==","attributes":{"k":"first","k":"last"}}]})");
        QTest::newRow("empty attributes") << QByteArray(R"({"messages":[{"data":"YQ==","attributes":{}}]})");
        QTest::newRow("null attributes") << QByteArray(R"({"messages":[{"data":"YQ==","attributes":null}]})");
        QTest::newRow("ordering key") << QByteArray(R"({"messages":[{"data":"YQ==","orderingKey":"user-ü"}]})");
        QTest::newRow("snake ordering key") << QByteArray(R"({"messages":[{"data":"YQ==","ordering_key":"k"}]})");
        QTest::newRow("both ordering keys") << QByteArray(R"({"messages":[{"data":"YQ==","ordering_key":"snake","orderingKey":"camel"}]})");
        QTest::newRow("unpadded, url-safe, spaced") << QByteArray(R"({"messages":[{"data":"aGk"},{"data":"-_8"},{"data":" YQ== "}]})");
        QTest::newRow("other fields") << QByteArray(R"({"topic":"t","messages":[{"data":"YQ==","messageId":"","publishTime":null,"extra":[1,{"a":2}]}]})");
    }

    void testDecodesAsQJsonDocumentReadsIt()
    {
        QFETCH(QByteArray, body);
        const Aq::Result<QList<PublishedMessage>> decoded = Aq::LocalCloud::parsePublishBody(body, MAX_MESSAGES, MAX_BYTES);
        QVERIFY2(decoded.hasValue(), qPrintable(decoded.hasValue() ? QString() : decoded.error().message));
        const QList<PublishedMessage> expected = meaning(body);
        QCOMPARE(decoded->size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE((*decoded)[i].data, expected[i].data);
            QCOMPARE((*decoded)[i].attributes, expected[i].attributes);
            QCOMPARE((*decoded)[i].orderingKey, expected[i].orderingKey);
        }
    }

    void testErrorsNameTheMessage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray(" ") << u"The request has no body; a JSON object is required."_s;
        QTest::newRow("not an object") << QByteArray("[]") << u"Invalid JSON payload received. The body must be a JSON object."_s;
        QTest::newRow("no messages") << QByteArray(R"({"messages":[]})") << u"The request contains no messages: send {\"messages\":[{\"data\":\"<base64>\"}]}."_s;
        QTest::newRow("not base64") << QByteArray(R"({"messages":[{"data":"YQ=="},{"data":"***"}]})") << u"messages[1].data is not valid base64."_s;
        QTest::newRow("data a number") << QByteArray(R"({"messages":[{"data":1}]})") << u"messages[0].data must be a base64 string."_s;
        QTest::newRow("empty message") << QByteArray(R"({"messages":[{"data":""}]})") << u"Some messages are empty: messages[0] has neither data nor attributes."_s;
        QTest::newRow("goog attribute") << QByteArray(R"({"messages":[{"attributes":{"googx":"v"}}]})") << u"messages[0]: attribute keys must not start with \"goog\" (googx)."_s;
        QTest::newRow("attribute a number") << QByteArray(R"({"messages":[{"attributes":{"k":1}}]})") << u"messages[0].attributes.k must be a string."_s;
        QTest::newRow("long ordering key") << ("{\"messages\":[{\"data\":\"YQ==\",\"orderingKey\":\"" + QByteArray(1025, 'k') + "\"}]}")
                                           << u"messages[0].orderingKey is longer than 1024 bytes."_s;
    }

    void testErrorsNameTheMessage()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const Aq::Result<QList<PublishedMessage>> decoded = Aq::LocalCloud::parsePublishBody(body, MAX_MESSAGES, MAX_BYTES);
        QVERIFY(!decoded.hasValue());
        QCOMPARE(decoded.error().message, message);
    }

    void testLimits()
    {
        QByteArray many = "{\"messages\":[";
        for (int i = 0; i < 3; ++i)
            many += i ? ",{\"data\":\"YWJj\"}" : "{\"data\":\"YWJj\"}";
        many += "]}";
        QVERIFY(Aq::LocalCloud::parsePublishBody(many, 3, 9).hasValue());
        QCOMPARE(Aq::LocalCloud::parsePublishBody(many, 2, 9).error().message,
                 u"The value for message_count is too large. You passed 3 in the request, but the maximum value is 2."_s);
        QCOMPARE(Aq::LocalCloud::parsePublishBody(many, 3, 8).error().message,
                 u"Request payload size exceeds the limit: 8 bytes (the messages hold 9 bytes)."_s);
    }
};

QTEST_APPLESS_MAIN(TestPublishBody)
#include "testpublishbody.moc"
