#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "core/pubsub/pubsubmessage.h"
#include "core/pubsub/replyreader.h"

using namespace Qt::Literals::StringLiterals;
using Aq::PubSub::PubsubMessage;
using Aq::PubSub::ReceivedMessage;

class TestPubsubMessage final : public QObject
{
    Q_OBJECT

private slots:
    // The body as QJsonDocument wrote it, byte for byte.
    void testPublishBodyIsQJsonDocumentsText()
    {
        QList<PubsubMessage> messages(4);
        messages[0].data = QByteArray("{\"event_id\":\"1\"}");
        messages[1].data = QByteArray("\x00\xff binary", 9);
        messages[1].attributes = {{u"zeta"_s, u"1"_s}, {u"alpha"_s, u"quote \" backslash \\ tab \t é \u0001"_s}, {u"é"_s, u""_s}};
        messages[1].orderingKey = u"user-ü\n"_s;
        messages[2].attributes = {{u"only"_s, u"attributes"_s}};
        messages[3].data = QByteArray("ab");
        messages[3].orderingKey = u"k"_s;
        QJsonArray array;
        for (const PubsubMessage &message : std::as_const(messages)) {
            QJsonObject json;
            if (!message.data.isEmpty())
                json.insert(u"data"_s, QString::fromLatin1(message.data.toBase64()));
            QJsonObject attributes;
            for (auto it = message.attributes.cbegin(); it != message.attributes.cend(); ++it)
                attributes.insert(it.key(), it.value());
            if (!attributes.isEmpty())
                json.insert(u"attributes"_s, attributes);
            if (!message.orderingKey.isEmpty())
                json.insert(u"orderingKey"_s, message.orderingKey);
            array.append(json);
        }
        QCOMPARE(Aq::PubSub::publishBody(messages), QJsonDocument(QJsonObject {{u"messages"_s, array}}).toJson(QJsonDocument::Compact));
    }

    // What the fast reader takes, it reads as ReceivedMessage::fromJson does.
    void testPullReplyReadsAsFromJson_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("local cloud") << QByteArray(
            R"({"receivedMessages":[{"ackId":"1-2-1","message":{"data":"YWJj","messageId":"2","publishTime":"2024-05-01T00:00:00.123456Z"}},)"
            R"({"ackId":"1-3-1","message":{"data":"YWI=","attributes":{"k":"v","é":"ü"},"messageId":"3","publishTime":"2024-05-01T00:00:00.123456Z","orderingKey":"o"},"deliveryAttempt":2}]})");
        QTest::newRow("emulator's fields") << QByteArray(
            R"({"receivedMessages":[{"ackId":"projects/p/subscriptions/s:1","message":{"data":"YQ==","attributes":{},"messageId":"1","publishTime":"2024-05-01T00:00:00.5Z","orderingKey":""}}]})");
        QTest::newRow("empty pull") << QByteArray("{}");
        QTest::newRow("repeated key") << QByteArray(R"({"receivedMessages":[{"ackId":"a","ackId":"b","message":{"messageId":"1","messageId":"2","data":"YQ=="}}]})");
    }

    void testPullReplyReadsAsFromJson()
    {
        QFETCH(QByteArray, body);
        const std::optional<QList<ReceivedMessage>> fast = Aq::PubSub::readPullReply(body);
        QVERIFY(fast.has_value());
        const QJsonArray received = QJsonDocument::fromJson(body).object().value(u"receivedMessages"_s).toArray();
        QCOMPARE(fast->size(), received.size());
        for (qsizetype i = 0; i < received.size(); ++i) {
            const Aq::Result<ReceivedMessage> expected = ReceivedMessage::fromJson(received[i].toObject());
            QVERIFY(expected.hasValue());
            const ReceivedMessage &ours = (*fast)[i];
            QCOMPARE(ours.ackId, expected->ackId);
            QCOMPARE(ours.deliveryAttempt, expected->deliveryAttempt);
            QCOMPARE(ours.message.data, expected->message.data);
            QCOMPARE(ours.message.attributes, expected->message.attributes);
            QCOMPARE(ours.message.orderingKey, expected->message.orderingKey);
            QCOMPARE(ours.message.messageId, expected->message.messageId);
            QCOMPARE(ours.message.publishTimeMicros, expected->message.publishTimeMicros);
        }
    }

    // Left to QJsonDocument: what the fast reader is not sure of, errors included.
    void testPullReplyLeavesTheUnusual_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("not JSON") << QByteArray("<html>");
        QTest::newRow("empty body") << QByteArray();
        QTest::newRow("no ackId") << QByteArray(R"({"receivedMessages":[{"message":{"data":"YQ=="}}]})");
        QTest::newRow("unpadded data") << QByteArray(R"({"receivedMessages":[{"ackId":"a","message":{"data":"YQ"}}]})");
        QTest::newRow("bad publish time") << QByteArray(R"({"receivedMessages":[{"ackId":"a","message":{"data":"YQ==","publishTime":"yesterday"}}]})");
        QTest::newRow("number attribute") << QByteArray(R"({"receivedMessages":[{"ackId":"a","message":{"attributes":{"k":1}}}]})");
    }

    void testPullReplyLeavesTheUnusual()
    {
        QFETCH(QByteArray, body);
        QVERIFY(!Aq::PubSub::readPullReply(body).has_value());
    }

    void testMessageIds()
    {
        QCOMPARE(Aq::PubSub::readMessageIds(QByteArray(R"({"messageIds":["1","22"]})")), std::optional(QStringList {u"1"_s, u"22"_s}));
        QVERIFY(!Aq::PubSub::readMessageIds(QByteArray(R"({"messageIds":[1]})")).has_value());
        QVERIFY(!Aq::PubSub::readMessageIds(QByteArray("{}")).has_value());
        QVERIFY(!Aq::PubSub::readMessageIds(QByteArray("not json")).has_value());
    }
};

QTEST_APPLESS_MAIN(TestPubsubMessage)
#include "testpubsubmessage.moc"
