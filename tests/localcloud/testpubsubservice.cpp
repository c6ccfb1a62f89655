#include <QElapsedTimer>
#include <QSet>
#include <QTest>

#include "core/common/timeutil.h"
#include "core/localcloud/sqlitedatabase.h"
#include "localcloudtestclient.h"
#include "olderstores.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const QString P = u"/v1/projects/p1"_s;

    QJsonObject publishBody(const QStringList &payloads, const QJsonObject &attributes = {}, const QString &orderingKey = {})
    {
        QJsonArray messages;
        for (const QString &payload : payloads) {
            QJsonObject m {{u"data"_s, QString::fromLatin1(payload.toUtf8().toBase64())}};
            if (!attributes.isEmpty())
                m.insert(u"attributes"_s, attributes);
            if (!orderingKey.isEmpty())
                m.insert(u"orderingKey"_s, orderingKey);
            messages.append(m);
        }
        return {{u"messages"_s, messages}};
    }

    QJsonArray pull(LocalCloudTestClient &client, const QString &sub, int max = 1000)
    {
        const auto reply = client.call("POST", P + u"/subscriptions/"_s + sub + u":pull"_s,
                                       QJsonObject {{u"maxMessages"_s, max}, {u"returnImmediately"_s, true}});
        if (reply.status != 200)
            qWarning() << reply.body;
        return reply.json().value(u"receivedMessages"_s).toArray();
    }

    QStringList payloads(const QJsonArray &received)
    {
        QStringList out;
        for (const QJsonValue &v : received)
            out.append(QString::fromUtf8(QByteArray::fromBase64(v[u"message"_s][u"data"_s].toString().toLatin1())));
        return out;
    }

    QStringList ackIds(const QJsonArray &received)
    {
        QStringList out;
        for (const QJsonValue &v : received)
            out.append(v[u"ackId"_s].toString());
        return out;
    }
}

class TestPubSubService final : public QObject
{
    Q_OBJECT

private slots:
    void testTopicLifecycleAndErrors()
    {
        LocalCloudTestClient client;
        auto created = client.call("PUT", P + u"/topics/events"_s, QByteArray(R"({"labels":{},"tags":{}})"));
        QCOMPARE(created.status, 200);
        QCOMPARE(created.json()[u"name"_s].toString(), u"projects/p1/topics/events"_s);
        QCOMPARE(client.call("PUT", P + u"/topics/events"_s).status, 409);
        QCOMPARE(client.call("PUT", P + u"/topics/events"_s).errorStatus(), u"ALREADY_EXISTS"_s);
        QCOMPARE(client.call("GET", P + u"/topics/events"_s).status, 200);
        QCOMPARE(client.call("GET", P + u"/topics/nothere"_s).status, 404);
        QCOMPARE(client.call("GET", P + u"/topics/nothere"_s).errorStatus(), u"NOT_FOUND"_s);
        for (const QString &bad : {u"ab"_s, u"1abc"_s, u"goog-topic"_s, u"has space"_s, QString(256, u'a')}) {
            const auto reply = client.call("PUT", P + u"/topics/"_s + bad);
            QVERIFY2(reply.status == 400, qPrintable(bad));
            QCOMPARE(reply.errorStatus(), u"INVALID_ARGUMENT"_s);
        }
        // names are checked on every method, not only on create
        QCOMPARE(client.call("GET", P + u"/topics/ab"_s).status, 400);
        QCOMPARE(client.call("DELETE", P + u"/subscriptions/ab"_s).status, 400);
        QCOMPARE(client.call("PUT", P + u"/topics/second"_s, QByteArray("{not json")).status, 400);
        QCOMPARE(client.call("PUT", P + u"/topics/second"_s).status, 200);
        const auto list = client.call("GET", P + u"/topics?pageSize=1"_s);
        QCOMPARE(list.json()[u"topics"_s].toArray().size(), 1);
        const QString token = list.json()[u"nextPageToken"_s].toString();
        QVERIFY(!token.isEmpty());
        QCOMPARE(client.call("GET", P + u"/topics?pageSize=1&pageToken="_s + token).json()[u"topics"_s].toArray()[0][u"name"_s].toString(),
                 u"projects/p1/topics/second"_s);
        QCOMPARE(client.call("DELETE", P + u"/topics/second"_s).body, QByteArray("{}"));
        QCOMPARE(client.call("GET", P + u"/topics/second"_s).status, 404);
    }

    void testSubscriptionValidationAndDefaults()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        auto noTopic = client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {});
        QCOMPARE(noTopic.status, 400);
        QCOMPARE(client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/missing"_s}}).status, 404);
        auto badDeadline = client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"ackDeadlineSeconds"_s, 601}});
        QCOMPARE(badDeadline.status, 400);
        QVERIFY(badDeadline.errorMessage().contains(u"601"_s));
        auto created = client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"ackDeadlineSeconds"_s, u"30"_s}});
        QCOMPARE(created.status, 200);
        QCOMPARE(created.json()[u"ackDeadlineSeconds"_s].toInt(), 30);
        QCOMPARE(created.json()[u"messageRetentionDuration"_s].toString(), u"604800s"_s);
        auto patched = client.call("PATCH", P + u"/subscriptions/sub1"_s,
                                   QJsonObject {{u"subscription"_s, QJsonObject {{u"ackDeadlineSeconds"_s, 45}}}, {u"updateMask"_s, u"ackDeadlineSeconds"_s}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json()[u"ackDeadlineSeconds"_s].toInt(), 45);
        QCOMPARE(client.call("PATCH", P + u"/subscriptions/sub1"_s, QJsonObject {{u"subscription"_s, QJsonObject {}}, {u"updateMask"_s, u"topic"_s}}).status, 400);
        // a subscription outlives its topic
        QCOMPARE(client.call("DELETE", P + u"/topics/events"_s).status, 200);
        QCOMPARE(client.call("GET", P + u"/subscriptions/sub1"_s).json()[u"topic"_s].toString(), u"_deleted-topic_"_s);
    }

    void testPublishPullAckAndRedelivery()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        client.call("PUT", P + u"/subscriptions/sub2"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        auto published = client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s, u"c"_s}, {{u"k"_s, u"v"_s}}));
        QCOMPARE(published.status, 200);
        const QJsonArray ids = published.json()[u"messageIds"_s].toArray();
        QCOMPARE(ids.size(), 3);
        QVERIFY(ids[0].toString().toLongLong() < ids[1].toString().toLongLong());

        const QJsonArray first = pull(client, u"sub1"_s);
        QCOMPARE(payloads(first), (QStringList {u"a"_s, u"b"_s, u"c"_s}));
        QCOMPARE(first[0][u"message"_s][u"attributes"_s][u"k"_s].toString(), u"v"_s);
        QCOMPARE(first[0][u"message"_s][u"messageId"_s].toString(), ids[0].toString());
        QVERIFY(Aq::Time::parseTimestamp(first[0][u"message"_s][u"publishTime"_s].toString()).has_value());
        QVERIFY(!first[0].toObject().contains(u"deliveryAttempt"_s));   // only with a dead-letter policy
        // leased: nothing more for s1; s2 has its own copy
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        QCOMPARE(pull(client, u"sub2"_s).size(), 3);

        const QStringList acks = ackIds(first);
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(acks.mid(0, 1))}}).body, QByteArray("{}"));
        // nack b: it comes back at once (no retry policy)
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s,
                             QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(acks.mid(1, 1))}, {u"ackDeadlineSeconds"_s, 0}}).status, 200);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"b"_s});
        // c's lease shortened to 1 s expires and c comes back
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s,
                             QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(acks.mid(2, 1))}, {u"ackDeadlineSeconds"_s, 1}}).status, 200);
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        QTest::qWait(1100);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"c"_s});

        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray {acks[0]}}, {u"ackDeadlineSeconds"_s, 601}}).status, 400);
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray {u"garbage"_s}}}).status, 400);
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:pull"_s, QJsonObject {{u"maxMessages"_s, 0}}).status, 400);
        QCOMPARE(client.call("POST", P + u"/subscriptions/nope:pull"_s, QJsonObject {{u"maxMessages"_s, 1}}).status, 404);
    }

    void testLargePublishGetsOneIdPerMessageInOrder()
    {
        // 150 messages are stored by several multi-row statements (64, 64, 16, 4, 2)
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        QStringList sent;
        for (int i = 0; i < 150; ++i)
            sent.append(u"m%1"_s.arg(i));
        const QJsonArray ids = client.call("POST", P + u"/topics/events:publish"_s, publishBody(sent)).json()[u"messageIds"_s].toArray();
        QCOMPARE(ids.size(), 150);
        const QJsonArray got = pull(client, u"sub1"_s);
        QCOMPARE(payloads(got), sent);
        QSet<QString> distinct;
        for (int i = 0; i < 150; ++i) {
            QCOMPARE(got[i][u"message"_s][u"messageId"_s].toString(), ids[i].toString());
            distinct.insert(ids[i].toString());
        }
        QCOMPARE(distinct.size(), 150);
    }

    void testASubscriptionReceivesItsTopicsLaterMessagesOnly()
    {
        // every topic's messages share one table; a subscription's cursor skips the other topics' and what came
        // before it existed, and an idle subscription of another topic holds nothing back
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/topic-a"_s);
        client.call("PUT", P + u"/topics/topic-b"_s);
        client.call("POST", P + u"/topics/topic-a:publish"_s, publishBody({u"a-before"_s}));
        client.call("PUT", P + u"/subscriptions/sub-a"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/topic-a"_s}});
        client.call("PUT", P + u"/subscriptions/sub-b"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/topic-b"_s}});
        for (int i = 0; i < 3; ++i) {
            client.call("POST", P + u"/topics/topic-a:publish"_s, publishBody({u"a%1"_s.arg(i)}));
            client.call("POST", P + u"/topics/topic-b:publish"_s, publishBody({u"b%1"_s.arg(i)}));
        }
        QCOMPARE(client.cloud().pubSub()->backlog(u"p1"_s, u"sub-a"_s).value(), 3);
        QCOMPARE(client.cloud().pubSub()->backlog(u"p1"_s, u"sub-b"_s).value(), 3);
        const QJsonArray two = pull(client, u"sub-a"_s, 2);
        QCOMPARE(payloads(two), (QStringList {u"a0"_s, u"a1"_s}));
        QCOMPARE(client.cloud().pubSub()->backlog(u"p1"_s, u"sub-a"_s).value(), 3);   // two leased, one never delivered
        QCOMPARE(payloads(pull(client, u"sub-a"_s)), QStringList {u"a2"_s});
        client.cloud().pubSub()->collectGarbage();
        QCOMPARE(payloads(pull(client, u"sub-b"_s)), (QStringList {u"b0"_s, u"b1"_s, u"b2"_s}));
        // a nacked message comes back before new ones
        client.call("POST", P + u"/subscriptions/sub-a:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray {ackIds(two)[1]}}, {u"ackDeadlineSeconds"_s, 0}});
        client.call("POST", P + u"/topics/topic-a:publish"_s, publishBody({u"a3"_s}));
        QCOMPARE(payloads(pull(client, u"sub-a"_s)), (QStringList {u"a1"_s, u"a3"_s}));
    }

    void testTheBacklogFollowsPublishesPullsAcksAndSeeks()
    {
        // counted once by a scan, then kept by each publish and pull
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        const auto backlog = [&] { return client.cloud().pubSub()->backlog(u"p1"_s, u"sub1"_s).value(); };
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s}));
        QCOMPARE(backlog(), 5);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"f"_s, u"g"_s, u"h"_s}));
        QCOMPARE(backlog(), 8);
        const QJsonArray got = pull(client, u"sub1"_s, 4);
        QCOMPARE(backlog(), 8);   // four leased, four never delivered
        client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(ackIds(got))}});
        QCOMPARE(backlog(), 4);
        QCOMPARE(pull(client, u"sub1"_s).size(), 4);
        QCOMPARE(backlog(), 4);
        client.call("POST", P + u"/subscriptions/sub1:seek"_s, QJsonObject {{u"time"_s, Aq::Time::formatRfc3339(Aq::Time::nowMicros() + 1000)}});
        QCOMPARE(backlog(), 0);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"i"_s, u"j"_s}));
        QCOMPARE(backlog(), 2);
        client.reopen();
        QCOMPARE(backlog(), 2);
    }

    void testDeletingATopicKeepsWhatItsSubscriptionsHaveNotReceived()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s}));
        QCOMPARE(client.call("DELETE", P + u"/topics/events"_s).status, 200);
        client.call("PUT", P + u"/topics/events"_s);   // a new topic of the same name is another topic
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"c"_s}));
        QCOMPARE(payloads(pull(client, u"sub1"_s)), (QStringList {u"a"_s, u"b"_s}));
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
    }

    void testAStoreOfVersionOneDeliversItsBacklogOnce()
    {
        // version 1 gave every message a delivery row per subscription when it was published
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s}));
        client.close();
        {
            Aq::LocalCloud::SqliteDatabase db;
            QVERIFY(db.open(client.dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadWrite).hasValue());
            QVERIFY(db.exec(QByteArray("INSERT INTO ps_deliveries(sub_id, msg_id) SELECT id, (SELECT MIN(id) FROM ps_messages) FROM ps_subscriptions;"
                                       "INSERT INTO ps_deliveries(sub_id, msg_id) SELECT id, (SELECT MAX(id) FROM ps_messages) FROM ps_subscriptions;")
                            + INSERT_IDS_OF_VERSION_5
                            + "ALTER TABLE ps_subscriptions DROP COLUMN delivered_through; DROP TABLE bq_insert_id_log; DROP TABLE bq_batched_indexes; PRAGMA user_version=1;")
                        .hasValue());
        }
        client.reopen();
        QCOMPARE(client.cloud().pubSub()->backlog(u"p1"_s, u"sub1"_s).value(), 2);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), (QStringList {u"a"_s, u"b"_s}));
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"c"_s}));
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"c"_s});
    }

    void testPublishValidation()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        QCOMPARE(client.call("POST", P + u"/topics/events:publish"_s, QJsonObject {{u"messages"_s, QJsonArray {}}}).status, 400);
        QCOMPARE(client.call("POST", P + u"/topics/events:publish"_s, QJsonObject {{u"messages"_s, QJsonArray {QJsonObject {}}}}).status, 400);
        QCOMPARE(client.call("POST", P + u"/topics/events:publish"_s, QJsonObject {{u"messages"_s, QJsonArray {QJsonObject {{u"data"_s, u"***"_s}}}}}).status, 400);
        QStringList many;
        for (int i = 0; i < 1001; ++i)
            many.append(u"x"_s);
        QCOMPARE(client.call("POST", P + u"/topics/events:publish"_s, publishBody(many)).status, 400);
        QCOMPARE(client.call("POST", P + u"/topics/events:publish"_s, publishBody(many.mid(0, 1000))).status, 200);
        const QString big(10000001, u'x');
        auto tooBig = client.call("POST", P + u"/topics/events:publish"_s, publishBody({big}));
        QCOMPARE(tooBig.status, 400);
        QVERIFY(tooBig.errorMessage().contains(u"limit"_s));
        // unpadded and URL-safe base64 are accepted; attributes only is a message
        auto relaxed = client.call("POST", P + u"/topics/events:publish"_s,
                                   QByteArray(R"({"messages":[{"data":"aGk"},{"data":"-_8"},{"attributes":{"only":"attrs"}}]})"));
        QCOMPARE(relaxed.status, 200);
        QCOMPARE(client.call("POST", P + u"/topics/missing:publish"_s, publishBody({u"a"_s})).status, 404);
    }

    void testDeadLetterAfterMaxDeliveryAttempts()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/topics/dead"_s);
        client.call("PUT", P + u"/subscriptions/dead-sub"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/dead"_s}});
        auto created = client.call("PUT", P + u"/subscriptions/sub1"_s,
                                   QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s},
                                                {u"deadLetterPolicy"_s, QJsonObject {{u"deadLetterTopic"_s, u"projects/p1/topics/dead"_s}, {u"maxDeliveryAttempts"_s, 5}}}});
        QCOMPARE(created.status, 200);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"poison"_s}));
        for (int attempt = 1; attempt <= 5; ++attempt) {
            const QJsonArray got = pull(client, u"sub1"_s);
            QCOMPARE(got.size(), 1);
            QCOMPARE(got[0][u"deliveryAttempt"_s].toInt(), attempt);
            client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(ackIds(got))}, {u"ackDeadlineSeconds"_s, 0}});
        }
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        const QJsonArray dead = pull(client, u"dead-sub"_s);
        QCOMPARE(payloads(dead), QStringList {u"poison"_s});
        const QJsonObject attributes = dead[0][u"message"_s][u"attributes"_s].toObject();
        QCOMPARE(attributes[u"CloudPubSubDeadLetterSourceSubscription"_s].toString(), u"sub1"_s);
        QCOMPARE(attributes[u"CloudPubSubDeadLetterSourceDeliveryCount"_s].toString(), u"5"_s);
    }

    void testRetryPolicyDelaysRedelivery()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s},
                                                                     {u"retryPolicy"_s, QJsonObject {{u"minimumBackoff"_s, u"1s"_s}, {u"maximumBackoff"_s, u"5s"_s}}}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s}));
        const QJsonArray got = pull(client, u"sub1"_s);
        client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(ackIds(got))}, {u"ackDeadlineSeconds"_s, 0}});
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        QTest::qWait(1100);
        QCOMPARE(pull(client, u"sub1"_s).size(), 1);
    }

    void testOrderingKeysDeliverInOrderOneAtATime()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"enableMessageOrdering"_s, true}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"k1"_s, u"k2"_s}, {}, u"user-1"_s));
        const QJsonArray first = pull(client, u"sub1"_s, 2);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"k3"_s}, {}, u"user-1"_s));
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"other"_s}, {}, u"user-2"_s));
        QCOMPARE(payloads(first), (QStringList {u"k1"_s, u"k2"_s}));
        QCOMPARE(first[0][u"message"_s][u"orderingKey"_s].toString(), u"user-1"_s);
        // while k1 and k2 are out, nothing more of user-1 goes out; user-2 flows
        const QJsonArray other = pull(client, u"sub1"_s);
        QCOMPARE(payloads(other), QStringList {u"other"_s});
        // nacking k1 brings back k1 and everything after it with the same key, in order
        client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray {ackIds(first)[0]}}, {u"ackDeadlineSeconds"_s, 0}});
        QCOMPARE(payloads(pull(client, u"sub1"_s)), (QStringList {u"k1"_s, u"k2"_s, u"k3"_s}));
    }

    void testOrderingKeysAfterALeaseExpires()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"enableMessageOrdering"_s, true}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"k1"_s, u"k2"_s}, {}, u"user-1"_s));
        const QJsonArray first = pull(client, u"sub1"_s);
        QCOMPARE(payloads(first), (QStringList {u"k1"_s, u"k2"_s}));
        // k1's lease runs out while k2's still runs: both come back, in order
        client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray {ackIds(first)[0]}}, {u"ackDeadlineSeconds"_s, 1}});
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        QTest::qWait(1100);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), (QStringList {u"k1"_s, u"k2"_s}));
    }

    void testLongPollWaitsForAPublish()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        QTimer::singleShot(300, &client.cloud(), [&client] {
            client.cloud().handle({"POST", P + u"/topics/events:publish"_s, {}, QJsonDocument(publishBody({u"late"_s})).toJson()}, [](auto) {});
        });
        QElapsedTimer timer;
        timer.start();
        const auto reply = client.call("POST", P + u"/subscriptions/sub1:pull"_s, QJsonObject {{u"maxMessages"_s, 10}});
        QVERIFY(timer.elapsed() >= 250);
        QCOMPARE(payloads(reply.json()[u"receivedMessages"_s].toArray()), QStringList {u"late"_s});
    }

    void testEmptyLongPollEndsAtItsDeadline()
    {
        Aq::LocalCloud::LocalCloudOptions options;
        options.maxPullWaitMs = 300;
        LocalCloudTestClient client(options);
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        const auto reply = client.call("POST", P + u"/subscriptions/sub1:pull"_s, QJsonObject {{u"maxMessages"_s, 10}}, 5000);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, QByteArray("{}"));
    }

    void testSeekReplaysRetainedMessages()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"retainAckedMessages"_s, true}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"old"_s}));
        QTest::qWait(20);
        const QString middle = Aq::Time::formatRfc3339(Aq::Time::nowMicros());
        QTest::qWait(20);
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"new"_s}));
        const QJsonArray got = pull(client, u"sub1"_s);
        QCOMPARE(got.size(), 2);
        client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(ackIds(got))}});
        QCOMPARE(pull(client, u"sub1"_s).size(), 0);
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:seek"_s, QJsonObject {{u"time"_s, middle}}).status, 200);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"new"_s});
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:seek"_s, QJsonObject {{u"time"_s, u"1970-01-01T00:00:00Z"_s}}).status, 200);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), (QStringList {u"old"_s, u"new"_s}));
        QCOMPARE(client.call("POST", P + u"/subscriptions/sub1:seek"_s, QJsonObject {{u"time"_s, u"yesterday"_s}}).status, 400);
    }

    void testEverythingSurvivesAReopen()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}, {u"ackDeadlineSeconds"_s, 20}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s}));
        const QJsonArray leased = pull(client, u"sub1"_s, 1);
        client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray::fromStringList(ackIds(leased))}});
        client.reopen();
        QCOMPARE(client.call("GET", P + u"/subscriptions/sub1"_s).json()[u"ackDeadlineSeconds"_s].toInt(), 20);
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"b"_s});
        auto more = client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"c"_s}));
        QCOMPARE(more.status, 200);
    }

    void testGarbageCollectionDropsWhatNoSubscriptionNeeds()
    {
        LocalCloudTestClient client;
        client.call("PUT", P + u"/topics/events"_s);
        client.call("PUT", P + u"/subscriptions/sub1"_s, QJsonObject {{u"topic"_s, u"projects/p1/topics/events"_s}});
        client.call("POST", P + u"/topics/events:publish"_s, publishBody({u"a"_s, u"b"_s}));
        const QJsonArray got = pull(client, u"sub1"_s);
        client.call("POST", P + u"/subscriptions/sub1:acknowledge"_s, QJsonObject {{u"ackIds"_s, QJsonArray {ackIds(got)[0]}}});
        client.cloud().pubSub()->collectGarbage();
        QCOMPARE(client.cloud().pubSub()->backlog(u"p1"_s, u"sub1"_s).value(), 1);
        client.call("POST", P + u"/subscriptions/sub1:modifyAckDeadline"_s, QJsonObject {{u"ackIds"_s, QJsonArray {ackIds(got)[1]}}, {u"ackDeadlineSeconds"_s, 0}});
        QCOMPARE(payloads(pull(client, u"sub1"_s)), QStringList {u"b"_s});
    }
};

QTEST_GUILESS_MAIN(TestPubSubService)
#include "testpubsubservice.moc"
