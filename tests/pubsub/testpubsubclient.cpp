#include <memory>
#include <set>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"
#include "core/pubsub/subscriber.h"
#include "core/rest/restclient.h"
#include "tests/support/emulatorprocess.h"
#include "tests/support/peerrequirement.h"
#include "tests/support/pubsubtestsupport.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::PubSub;
using namespace TestSupport;

namespace
{
    const QString Project = u"aq-test"_s;

    struct Backend
    {
        std::unique_ptr<Rest::RestClient> rest;
        std::unique_ptr<PubSubClient> client;
    };
}

class TestPubSubClient final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    ServerTestProcess m_server;
    EmulatorProcess m_emulator;
    QString m_emulatorMissing;
    std::map<QString, Backend> m_backends;
    int m_counter = 0;

    PubSubClient *client()
    {
        QFETCH(QString, backend);
        if (backend == u"emulator"_s && !m_emulatorMissing.isEmpty())
            return nullptr;
        return m_backends.at(backend).client.get();
    }

    QString unique(const QString &stem)
    {
        return u"%1-%2-%3"_s.arg(stem, QString::fromLatin1(QTest::currentTestFunction())).arg(++m_counter);
    }

    void addBackends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("local cloud") << u"local"_s;
        QTest::newRow("Google's emulator") << u"emulator"_s;
    }

    void addBackend(const QString &name, const QUrl &endpoint)
    {
        Backend backend;
        backend.rest = std::make_unique<Rest::RestClient>(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        backend.client = std::make_unique<PubSubClient>(backend.rest.get(), endpoint, Project);
        m_backends[name] = std::move(backend);
    }

    QString makeTopicAndSubscription(PubSubClient *pubsub, const QString &topic, Subscription settings = {})
    {
        return TestSupport::makeTopicAndSubscription(pubsub, topic, settings, this);
    }

    QList<ReceivedMessage> pullAvailable(PubSubClient *pubsub, const QString &subscription, int expected, int timeoutMs = 20000)
    {
        return TestSupport::pullAvailable(pubsub, subscription, expected, timeoutMs, this);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dataDir.isValid());
        QVERIFY2(m_server.start(m_dataDir.path()), "aqueduct-server did not start");
        addBackend(u"local"_s, m_server.endpoint());
        m_emulatorMissing = EmulatorProcess::missingRequirement();
        if (m_emulatorMissing.isEmpty()) {
            if (m_emulator.start(Project))
                addBackend(u"emulator"_s, m_emulator.endpoint());
            else
                m_emulatorMissing = u"Google's Pub/Sub emulator is installed but did not start"_s;
        }
    }

    void cleanupTestCase()
    {
        m_backends.clear();
        m_emulator.stop();
        m_server.stop();
    }

    void topicAndSubscriptionAdmin_data() { addBackends(); }
    void topicAndSubscriptionAdmin()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"admin"_s);
        const QString deadLetters = topic + u"-dlq"_s;
        const Result<QString> created = wait<QString>([&](auto done) { pubsub->createTopic(topic, this, done); });
        QVERIFY2(created, qPrintable(whyNot(created)));
        QCOMPARE(*created, u"projects/%1/topics/%2"_s.arg(Project, topic));
        QVERIFY(wait<QString>([&](auto done) { pubsub->createTopic(deadLetters, this, done); }));

        const Result<QString> again = wait<QString>([&](auto done) { pubsub->createTopic(topic, this, done); });
        QVERIFY(!again);
        QCOMPARE(again.error().httpStatus, 409);
        QCOMPARE(again.error().status, u"ALREADY_EXISTS"_s);

        const Result<QStringList> topics = wait<QStringList>([&](auto done) { pubsub->listTopics(this, done); });
        QVERIFY2(topics, qPrintable(whyNot(topics)));
        QVERIFY(topics->contains(pubsub->topicPath(topic)));

        Subscription settings;
        settings.topic = topic;
        settings.ackDeadlineSeconds = 30;
        settings.deadLetterTopic = deadLetters;
        settings.maxDeliveryAttempts = 7;
        settings.minimumBackoffMicros = 1'000'000;
        settings.maximumBackoffMicros = 20'000'000;
        settings.messageRetentionMicros = 3600LL * 1'000'000;
        const QString id = topic + u"-sub"_s;
        const Result<Subscription> subscription = wait<Subscription>([&](auto done) { pubsub->createSubscription(id, settings, this, done); });
        QVERIFY2(subscription, qPrintable(whyNot(subscription)));
        QCOMPARE(subscription->name, pubsub->subscriptionPath(id));
        QCOMPARE(subscription->topic, pubsub->topicPath(topic));
        QCOMPARE(subscription->ackDeadlineSeconds, 30);
        QCOMPARE(subscription->deadLetterTopic, pubsub->topicPath(deadLetters));
        QCOMPARE(subscription->maxDeliveryAttempts, 7);
        QCOMPARE(subscription->minimumBackoffMicros, 1'000'000);
        QCOMPARE(subscription->maximumBackoffMicros, 20'000'000);
        QCOMPARE(subscription->messageRetentionMicros, 3600LL * 1'000'000);

        Subscription change;
        change.topic = topic;
        change.ackDeadlineSeconds = 45;
        const Result<Subscription> patched = wait<Subscription>([&](auto done) {
            pubsub->patchSubscription(id, change, {u"ackDeadlineSeconds"_s}, this, done);
        });
        QVERIFY2(patched, qPrintable(whyNot(patched)));
        QCOMPARE(patched->ackDeadlineSeconds, 45);
        const Result<Subscription> fetched = wait<Subscription>([&](auto done) { pubsub->getSubscription(id, this, done); });
        QVERIFY(fetched);
        QCOMPARE(fetched->ackDeadlineSeconds, 45);
        QCOMPARE(fetched->maxDeliveryAttempts, 7);

        const Result<QList<Subscription>> subscriptions = wait<QList<Subscription>>([&](auto done) { pubsub->listSubscriptions(this, done); });
        QVERIFY(subscriptions);
        QVERIFY(std::any_of(subscriptions->begin(), subscriptions->end(), [&](const Subscription &s) { return s.name == pubsub->subscriptionPath(id); }));

        QVERIFY(wait<Ok>([&](auto done) { pubsub->deleteSubscription(id, this, done); }));
        QVERIFY(wait<Ok>([&](auto done) { pubsub->deleteTopic(topic, this, done); }));
        const Result<QString> gone = wait<QString>([&](auto done) { pubsub->getTopic(topic, this, done); });
        QVERIFY(!gone);
        QCOMPARE(gone.error().httpStatus, 404);
        QCOMPARE(gone.error().status, u"NOT_FOUND"_s);
    }

    void badNamesAreInvalidArgument_data() { addBackends(); }
    void badNamesAreInvalidArgument()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const Result<QString> created = wait<QString>([&](auto done) { pubsub->createTopic(u"ab"_s, this, done); });
        QVERIFY(!created);
        QCOMPARE(created.error().httpStatus, 400);
        QCOMPARE(created.error().status, u"INVALID_ARGUMENT"_s);
        QVERIFY(!created.error().retryable);
    }

    void publishRefusesWhatTheApiRefuses()
    {
        // Checked before sending, so no backend is needed to tell.
        Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        PubSubClient pubsub(&rest, QUrl(u"http://127.0.0.1:9"_s), Project);
        QList<PubsubMessage> tooMany(1001, PubsubMessage {"x", {}, {}, {}, 0});
        const Result<QStringList> many = wait<QStringList>([&](auto done) { pubsub.publish(u"t-1"_s, tooMany, this, done); });
        QVERIFY(!many);
        QVERIFY2(many.error().message.contains(u"1001"_s), qPrintable(many.error().message));
        QList<PubsubMessage> mixedKeys {PubsubMessage {"a", {}, u"k1"_s, {}, 0}, PubsubMessage {"b", {}, u"k2"_s, {}, 0}};
        const Result<QStringList> mixed = wait<QStringList>([&](auto done) { pubsub.publish(u"t-1"_s, mixedKeys, this, done); });
        QVERIFY(!mixed);
        QVERIFY2(mixed.error().message.contains(u"ordering key"_s), qPrintable(mixed.error().message));
        const Result<QStringList> empty = wait<QStringList>([&](auto done) { pubsub.publish(u"t-1"_s, {PubsubMessage {}}, this, done); });
        QVERIFY(!empty);
    }

    void batchedPublishThenSubscriberReceivesAndAcksEverything_data() { addBackends(); }
    void batchedPublishThenSubscriberReceivesAndAcksEverything()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"flow"_s);
        const QString subscription = makeTopicAndSubscription(pubsub, topic);

        PublisherSettings settings;
        settings.maxMessages = 500;
        settings.maxLatency = std::chrono::milliseconds(5);
        Publisher publisher(pubsub, topic, settings);
        const int count = 2500;
        std::set<QString> ids;
        int failures = 0;
        for (int i = 0; i < count; ++i) {
            PubsubMessage message;
            message.data = "{\"event_id\":\"" + QByteArray::number(i) + "\",\"event_type\":\"click\"}";
            message.attributes.insert(u"n"_s, QString::number(i));
            const Status accepted = publisher.publish(message, [&](Result<QString> id) { id ? void(ids.insert(*id)) : void(++failures); });
            QVERIFY2(accepted, qPrintable(whyNot(accepted)));
        }
        QVERIFY(QTest::qWaitFor([&] { return int(ids.size()) + failures == count; }, 60000));
        QCOMPARE(failures, 0);
        QCOMPARE(int(ids.size()), count);   // unique ids, one per message

        SubscriberSettings subscriberSettings;
        subscriberSettings.concurrentPulls = 3;
        subscriberSettings.maxMessagesPerPull = 300;
        Subscriber subscriber(pubsub, subscription, subscriberSettings);
        std::set<QString> received;
        QSignalSpy acked(&subscriber, &Subscriber::acknowledged);
        connect(&subscriber, &Subscriber::messagesReceived, this, [&](const QList<ReceivedMessage> &messages) {
            for (const ReceivedMessage &message : messages) {
                QCOMPARE(message.message.attributes.value(u"n"_s), QString::fromUtf8(message.message.data.mid(13).split('"').first()));
                received.insert(message.message.messageId);
                subscriber.acknowledge(message.ackId);
            }
        });
        subscriber.start();
        QVERIFY(QTest::qWaitFor([&] { return received.size() >= std::size_t(count); }, 60000));
        QCOMPARE(received, ids);
        QSignalSpy stopped(&subscriber, &Subscriber::stopped);
        subscriber.stop();
        QVERIFY(stopped.count() == 1 || stopped.wait(20000));
        int ackedTotal = 0;
        for (const QList<QVariant> &arguments : std::as_const(acked))
            ackedTotal += arguments.first().toInt();
        QCOMPARE(ackedTotal, count);
        QCOMPARE(subscriber.outstandingMessages(), 0);
        // Nothing comes back once acknowledged.
        QVERIFY(pullAvailable(pubsub, subscription, 1, 2000).isEmpty());
    }

    void orderingKeysKeepPublishOrder_data() { addBackends(); }
    void orderingKeysKeepPublishOrder()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"ordered"_s);
        Subscription ordered;
        ordered.enableMessageOrdering = true;
        const QString subscription = makeTopicAndSubscription(pubsub, topic, ordered);
        PublisherSettings settings;
        settings.maxMessages = 7;   // many small batches, one in flight per key
        Publisher publisher(pubsub, topic, settings);
        int answered = 0;
        for (int i = 0; i < 60; ++i) {
            PubsubMessage message;
            message.data = QByteArray::number(i);
            message.orderingKey = i % 2 ? u"user-odd"_s : u"user-even"_s;
            QVERIFY(publisher.publish(message, [&](Result<QString> id) { QVERIFY(id); ++answered; }));
        }
        publisher.flush();
        QVERIFY(QTest::qWaitFor([&] { return answered == 60; }, 30000));
        const QList<ReceivedMessage> received = pullAvailable(pubsub, subscription, 60);
        QCOMPARE(received.size(), 60);
        std::map<QString, int> last {{u"user-odd"_s, -1}, {u"user-even"_s, -2}};
        for (const ReceivedMessage &message : received) {
            const int n = message.message.data.toInt();
            QCOMPARE(message.message.orderingKey, n % 2 ? u"user-odd"_s : u"user-even"_s);
            QCOMPARE(n, last[message.message.orderingKey] + 2);
            last[message.message.orderingKey] = n;
        }
    }

    void publisherFlowControlRefusesThenRecovers_data() { addBackends(); }
    void publisherFlowControlRefusesThenRecovers()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"flowcontrol"_s);
        QVERIFY(wait<QString>([&](auto done) { pubsub->createTopic(topic, this, done); }));
        PublisherSettings settings;
        settings.maxOutstandingMessages = 10;
        settings.maxLatency = std::chrono::milliseconds(50);
        Publisher publisher(pubsub, topic, settings);
        QSignalSpy capacity(&publisher, &Publisher::capacityAvailable);
        for (int i = 0; i < 10; ++i)
            QVERIFY(publisher.publish(PubsubMessage {"m", {}, {}, {}, 0}, {}));
        const Status refused = publisher.publish(PubsubMessage {"m", {}, {}, {}, 0}, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().status, u"RESOURCE_EXHAUSTED"_s);
        QVERIFY(capacity.wait(20000));
        QVERIFY(publisher.hasCapacity());
        QVERIFY(publisher.publish(PubsubMessage {"m", {}, {}, {}, 0}, {}));

        // A producer that checks hasCapacity() and never gets refused is told too.
        QVERIFY(QTest::qWaitFor([&] { return publisher.outstandingMessages() == 0; }, 20000));
        capacity.clear();
        while (publisher.hasCapacity())
            QVERIFY(publisher.publish(PubsubMessage {"m", {}, {}, {}, 0}, {}));
        QVERIFY(capacity.wait(20000));
    }

    void nackRedeliversWithTheNextAttempt_data() { addBackends(); }
    void nackRedeliversWithTheNextAttempt()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"nack"_s);
        QVERIFY(wait<QString>([&](auto done) { pubsub->createTopic(topic + u"-dlq"_s, this, done); }));
        Subscription settings;
        settings.deadLetterTopic = topic + u"-dlq"_s;
        settings.maxDeliveryAttempts = 5;
        settings.minimumBackoffMicros = 0;
        settings.maximumBackoffMicros = 0;
        const QString subscription = makeTopicAndSubscription(pubsub, topic, settings);
        QVERIFY(wait<QStringList>([&](auto done) { pubsub->publish(topic, {PubsubMessage {"again", {}, {}, {}, 0}}, this, done); }));
        const QList<ReceivedMessage> first = pullAvailable(pubsub, subscription, 1);
        QCOMPARE(first.size(), 1);
        QCOMPARE(first.first().deliveryAttempt, 1);
        QVERIFY(wait<Ok>([&](auto done) { pubsub->modifyAckDeadline(subscription, {first.first().ackId}, 0, this, done); }));
        const QList<ReceivedMessage> second = pullAvailable(pubsub, subscription, 1);
        QCOMPARE(second.size(), 1);
        QCOMPARE(second.first().message.messageId, first.first().message.messageId);
        QCOMPARE(second.first().deliveryAttempt, 2);
        QVERIFY(wait<Ok>([&](auto done) { pubsub->acknowledge(subscription, {second.first().ackId}, this, done); }));
    }

    void modifyAckDeadlineRefusesOutOfRange()
    {
        Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        PubSubClient pubsub(&rest, QUrl(u"http://127.0.0.1:9"_s), Project);
        const Result<Ok> result = wait<Ok>([&](auto done) { pubsub.modifyAckDeadline(u"sub"_s, {u"a"_s}, 601, this, done); });
        QVERIFY(!result);
        QCOMPARE(result.error().status, u"INVALID_ARGUMENT"_s);
    }

    void subscriberExtendsLeasesOfMessagesInProgress_data() { addBackends(); }
    void subscriberExtendsLeasesOfMessagesInProgress()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"lease"_s);
        Subscription shortDeadline;
        shortDeadline.ackDeadlineSeconds = 10;   // the minimum
        const QString subscription = makeTopicAndSubscription(pubsub, topic, shortDeadline);
        QVERIFY(wait<QStringList>([&](auto done) { pubsub->publish(topic, {PubsubMessage {"slow work", {}, {}, {}, 0}}, this, done); }));

        SubscriberSettings settings;
        settings.leaseSeconds = 10;
        Subscriber subscriber(pubsub, subscription, settings);
        QList<ReceivedMessage> deliveries;
        connect(&subscriber, &Subscriber::messagesReceived, this, [&](const QList<ReceivedMessage> &messages) { deliveries += messages; });
        subscriber.start();
        QVERIFY(QTest::qWaitFor([&] { return !deliveries.isEmpty(); }, 20000));
        // Hold it well past its 10 s deadline: without lease extension it would be delivered again.
        QTest::qWait(16000);
        QCOMPARE(deliveries.size(), 1);
        subscriber.acknowledge(deliveries.first().ackId);
        QSignalSpy stopped(&subscriber, &Subscriber::stopped);
        subscriber.stop();
        QVERIFY(stopped.count() == 1 || stopped.wait(20000));
    }

    void seekReplaysAcknowledgedMessages_data() { addBackends(); }
    void seekReplaysAcknowledgedMessages()
    {
        PubSubClient *pubsub = client();
        AQ_REQUIRE_PEER(pubsub, m_emulatorMissing);
        const QString topic = unique(u"seek"_s);
        Subscription retaining;
        retaining.retainAckedMessages = true;
        const QString subscription = makeTopicAndSubscription(pubsub, topic, retaining);
        const qint64 before = QDateTime::currentMSecsSinceEpoch() * 1000 - 1'000'000;
        QVERIFY(wait<QStringList>([&](auto done) { pubsub->publish(topic, {PubsubMessage {"replay me", {}, {}, {}, 0}}, this, done); }));
        const QList<ReceivedMessage> first = pullAvailable(pubsub, subscription, 1);
        QCOMPARE(first.size(), 1);
        QVERIFY(wait<Ok>([&](auto done) { pubsub->acknowledge(subscription, {first.first().ackId}, this, done); }));
        QVERIFY(wait<Ok>([&](auto done) { pubsub->seek(subscription, before, this, done); }));
        const QList<ReceivedMessage> replayed = pullAvailable(pubsub, subscription, 1);
        QCOMPARE(replayed.size(), 1);
        QCOMPARE(replayed.first().message.data, "replay me"_ba);
    }

    void longPollsDoNotHoldUpAcks()
    {
        // Eight long polls on an empty subscription (the local cloud holds each for 10 s) while messages of
        // another subscription are pulled and acknowledged through the same client.
        PubSubClient *pubsub = m_backends.at(u"local"_s).client.get();
        const QString idle = makeTopicAndSubscription(pubsub, unique(u"idle"_s));
        const QString busyTopic = unique(u"busy"_s);
        const QString busy = makeTopicAndSubscription(pubsub, busyTopic);
        SubscriberSettings settings;
        settings.concurrentPulls = 8;
        Subscriber waiting(pubsub, idle, settings);
        waiting.start();
        QTest::qWait(500);   // the pulls are out and held

        QElapsedTimer clock;
        clock.start();
        for (int round = 0; round < 20; ++round) {
            QVERIFY(wait<QStringList>([&](auto done) { pubsub->publish(busyTopic, {PubsubMessage {"x", {}, {}, {}, 0}}, this, done); }));
            const QList<ReceivedMessage> got = pullAvailable(pubsub, busy, 1);
            QCOMPARE(got.size(), 1);
            const Result<Ok> acked = wait<Ok>([&](auto done) { pubsub->acknowledge(busy, {got.first().ackId}, this, done); });
            QVERIFY2(acked, qPrintable(whyNot(acked)));
        }
        // 60 calls took far less than one long poll's 10 s hold: none of them queued behind the pulls.
        QVERIFY2(clock.elapsed() < 8000, qPrintable(u"%1 ms"_s.arg(clock.elapsed())));
        waiting.stop();
    }
};

QTEST_GUILESS_MAIN(TestPubSubClient)
#include "testpubsubclient.moc"
