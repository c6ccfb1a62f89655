#include <csignal>
#include <optional>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/pubsub/pubsubclient.h"
#include "core/rest/restclient.h"
#include "tests/support/clitestrun.h"
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
    using Run = CliRun;

    const QString LocalProject = u"aqueduct-local"_s;
    const QString EmulatorProject = u"aq-publish-test"_s;

    // "sent 50, failed 0, ..." from the summary line.
    qint64 summaryCount(const QByteArray &out, const char *what)
    {
        const QRegularExpression pattern(QString::fromLatin1(what) + u" (\\d+)"_s);
        const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(out));
        return match.hasMatch() ? match.captured(1).toLongLong() : -1;
    }

    // The --ids-out file: message ID -> event ID.
    QList<QPair<QString, QString>> readIds(const QString &path)
    {
        QList<QPair<QString, QString>> ids;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ids;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QList<QByteArray> parts = line.split('\t');
            ids.append({QString::fromUtf8(parts.value(0)), parts.size() == 2 ? QString::fromUtf8(parts[1]) : u"<malformed>"_s});
        }
        return ids;
    }

    QJsonObject eventOf(const ReceivedMessage &received)
    {
        return QJsonDocument::fromJson(received.message.data).object();
    }
}

class TestPublishCommand final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    QTemporaryDir m_files;
    ServerTestProcess m_server;
    std::unique_ptr<Rest::RestClient> m_rest;
    std::unique_ptr<PubSubClient> m_pubsub;
    int m_counter = 0;

    Run publish(const QStringList &arguments, const QHash<QString, QString> &extra = {}, int timeoutMs = 60000)
    {
        return runCli(QStringList {u"publish"_s} + arguments, extra, timeoutMs);
    }

    QStringList local(const QString &topic, QStringList arguments)
    {
        return QStringList {u"--data-dir"_s, m_dataDir.path(), u"--topic"_s, topic} + arguments;
    }

    QString unique(const QString &stem)
    {
        return u"%1-%2"_s.arg(stem).arg(++m_counter);
    }

    QString file(const QString &name, const QByteArray &contents = {})
    {
        const QString path = m_files.filePath(name);
        if (!contents.isEmpty()) {
            QFile out(path);
            if (out.open(QIODevice::WriteOnly))
                out.write(contents);
        }
        return path;
    }

    // A topic with a subscription, so that what is published is kept; returns the subscription.
    QString makeTopic(PubSubClient *pubsub, const QString &topic)
    {
        Subscription settings;
        settings.ackDeadlineSeconds = 60;   // nothing is delivered twice while a test pulls
        return makeTopicAndSubscription(pubsub, topic, settings, this);
    }

    // Everything that arrived: `expected` messages, then whatever else comes within a second (nothing, if all is well).
    QList<ReceivedMessage> pullAll(PubSubClient *pubsub, const QString &subscription, int expected)
    {
        QList<ReceivedMessage> received = pullAvailable(pubsub, subscription, expected, 20000, this);
        received += pullAvailable(pubsub, subscription, 1, 1000, this);
        return received;
    }

    // Checks that the --ids-out file names exactly the received messages and their event IDs.
    void compareIds(const QString &idsFile, const QList<ReceivedMessage> &received)
    {
        QMap<QString, QString> expected;
        for (const ReceivedMessage &message : received)
            expected.insert(message.message.messageId, eventOf(message).value(u"event_id"_s).toString());
        QMap<QString, QString> written;
        for (const auto &[messageId, eventId] : readIds(idsFile))
            written.insert(messageId, eventId);
        QCOMPARE(written.size(), readIds(idsFile).size());   // no message ID twice
        QCOMPARE(written, expected);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dataDir.isValid() && m_files.isValid());
        QVERIFY2(m_server.start(m_dataDir.path()), "aqueduct-server did not start");
        m_rest = std::make_unique<Rest::RestClient>(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        m_pubsub = std::make_unique<PubSubClient>(m_rest.get(), m_server.endpoint(), LocalProject);
    }

    void cleanupTestCase()
    {
        m_pubsub.reset();
        m_rest.reset();
        m_server.stop();
    }

    void publishesTheSeedsEventsWithAttributes()
    {
        const QString topic = unique(u"basic"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        const QString ids = file(u"basic.ids"_s);
        const Run run = publish(local(topic, {u"--count"_s, u"50"_s, u"--attribute"_s, u"source=test"_s, u"--attribute"_s, u"run=a=b"_s,
                                              u"--ids-out"_s, ids}));
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        QCOMPARE(summaryCount(run.out, "sent"), 50);
        QCOMPARE(summaryCount(run.out, "failed"), 0);
        QVERIFY2(run.out.contains(QByteArray("projects/aqueduct-local/topics/" + topic.toUtf8())), run.out.constData());
        QVERIFY2(run.err.isEmpty(), run.err.constData());   // not a terminal: no progress line

        const QList<ReceivedMessage> received = pullAll(m_pubsub.get(), subscription, 50);
        QCOMPARE(received.size(), 50);
        QSet<QString> eventIds;
        for (const ReceivedMessage &message : received) {
            const QJsonObject event = eventOf(message);
            QVERIFY2(!event.value(u"event_id"_s).toString().isEmpty(), message.message.data.constData());
            QVERIFY(!event.value(u"timestamp"_s).toString().isEmpty());
            QVERIFY(!event.value(u"event_type"_s).toString().isEmpty());
            QVERIFY(event.value(u"event_data"_s).isObject());
            eventIds.insert(event.value(u"event_id"_s).toString());
            QCOMPARE(message.message.attributes, (QMap<QString, QString> {{u"source"_s, u"test"_s}, {u"run"_s, u"a=b"_s}}));
            QVERIFY(message.message.orderingKey.isEmpty());
        }
        QCOMPARE(eventIds.size(), 50);
        compareIds(ids, received);
    }

    void publishesATemplateWithAnOrderingKey()
    {
        const QString topic = unique(u"template"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        const QString eventTemplate = file(u"order.json"_s, "{\n  \"event_id\": \"order-{{seq}}\",\n  \"timestamp\": \"{{now}}\",\n"
                                                            "  \"event_type\": \"{{choice:placed,shipped}}\",\n"
                                                            "  \"event_data\": {\"amount\": \"{{float:1:100:2}}\", \"qty\": \"{{int:1:5}}\"}\n}\n");
        const QString ids = file(u"order.ids"_s);
        const Run run = publish(local(topic, {u"--template"_s, eventTemplate, u"--count"_s, u"20"_s, u"--ordering-key"_s, u"customer-1"_s,
                                              u"--ids-out"_s, ids, u"--validate"_s}));
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        const QList<ReceivedMessage> received = pullAll(m_pubsub.get(), subscription, 20);
        QCOMPARE(received.size(), 20);
        QSet<QString> eventIds;
        for (const ReceivedMessage &message : received) {
            const QJsonObject event = eventOf(message);
            eventIds.insert(event.value(u"event_id"_s).toString());
            QCOMPARE(message.message.orderingKey, u"customer-1"_s);
            const QJsonObject data = event.value(u"event_data"_s).toObject();
            QVERIFY2(data.value(u"amount"_s).isDouble() && data.value(u"qty"_s).isDouble(), message.message.data.constData());
        }
        QSet<QString> expected;
        for (int i = 1; i <= 20; ++i)
            expected.insert(u"order-%1"_s.arg(i));
        QCOMPARE(eventIds, expected);
        compareIds(ids, received);
    }

    void validateRefusesBeforeSendingAnything()
    {
        const QString topic = unique(u"invalid"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        // Event 1 is fine, event 2 has a timestamp BigQuery cannot read: nothing at all may be sent.
        const QString eventTemplate = file(u"bad.json"_s, "{\"event_id\":\"{{uuid}}\",\"timestamp\":\"{{choice:2024-05-01T00:00:00Z,yesterday}}\","
                                                          "\"n\":\"{{seq}}\"}");
        const Run run = publish(local(topic, {u"--template"_s, eventTemplate, u"--count"_s, u"200"_s, u"--validate"_s, u"--seed"_s, u"5"_s}));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("does not match the table schema") && run.err.contains("timestamp") && run.err.contains("yesterday"),
                 run.err.constData());
        static const QRegularExpression eventNumber(u"event \\d+ does not match"_s);
        QVERIFY2(eventNumber.match(QString::fromUtf8(run.err)).hasMatch(), run.err.constData());
        QCOMPARE(summaryCount(run.out, "sent"), 0);
        QVERIFY(pullAll(m_pubsub.get(), subscription, 0).isEmpty());

        // A user's schema: the template lacks its required column.
        const QString schema = file(u"schema.json"_s, "[{\"name\":\"event_id\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},"
                                                      "{\"name\":\"region\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"}]");
        const Run strict = publish(local(topic, {u"--schema"_s, schema, u"--validate"_s, u"--count"_s, u"3"_s}));
        QCOMPARE(strict.exitCode, 1);
        QVERIFY2(strict.err.contains("region"), strict.err.constData());
        QVERIFY(pullAll(m_pubsub.get(), subscription, 0).isEmpty());

        // Without --validate the same events go out; the seeds' events pass the default schema.
        const Run unchecked = publish(local(topic, {u"--template"_s, eventTemplate, u"--count"_s, u"5"_s}));
        QVERIFY2(unchecked.exitCode == 0, qPrintable(runText(unchecked)));
        const Run seeds = publish(local(topic, {u"--validate"_s, u"--count"_s, u"5"_s}));
        QVERIFY2(seeds.exitCode == 0, qPrintable(runText(seeds)));
        QCOMPARE(pullAll(m_pubsub.get(), subscription, 10).size(), 10);
    }

    void rateIsPacedEvenly()
    {
        const QString topic = unique(u"rate"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        QElapsedTimer clock;
        clock.start();
        const Run run = publish(local(topic, {u"--count"_s, u"30"_s, u"--rate"_s, u"20"_s}));
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        const QList<ReceivedMessage> received = pullAll(m_pubsub.get(), subscription, 30);
        QCOMPARE(received.size(), 30);
        QList<qint64> times;
        for (const ReceivedMessage &message : received)
            times.append(message.message.publishTimeMicros);
        std::sort(times.begin(), times.end());
        // 30 events at 20/s: the last is due 1.45 s after the first. Loose bounds: this machine is shared.
        const qint64 span = times.last() - times.first();
        QVERIFY2(span >= 1'000'000, qPrintable(u"published within %1 ms"_s.arg(span / 1000)));
        QVERIFY2(clock.elapsed() < 20000, qPrintable(u"took %1 ms"_s.arg(clock.elapsed())));
        // Smooth, not a burst per second: no 200 ms window holds more than a handful (4 are due in one).
        for (qsizetype i = 0; i < times.size(); ++i) {
            const qsizetype inWindow = std::upper_bound(times.begin(), times.end(), times[i] + 200'000) - (times.begin() + i);
            QVERIFY2(inWindow <= 10, qPrintable(u"%1 messages within 200 ms"_s.arg(inWindow)));
        }
    }

    void aSeedRepeatsTheEventIds()
    {
        const QString topic = unique(u"seed"_s);
        makeTopic(m_pubsub.get(), topic);
        const auto eventIds = [&](const QString &seed, const QString &name) {
            const QString ids = file(name);
            const Run run = publish(local(topic, {u"--count"_s, u"25"_s, u"--seed"_s, seed, u"--ids-out"_s, ids}));
            if (run.exitCode != 0)
                qWarning("%s", qPrintable(runText(run)));
            QStringList events;
            QStringList messages;
            for (const auto &[messageId, eventId] : readIds(ids)) {
                messages.append(messageId);
                events.append(eventId);
            }
            events.sort();
            return std::pair {events, messages};
        };
        const auto [first, firstMessages] = eventIds(u"1234"_s, u"seed1.ids"_s);
        const auto [second, secondMessages] = eventIds(u"1234"_s, u"seed2.ids"_s);
        const auto [other, otherMessages] = eventIds(u"1235"_s, u"seed3.ids"_s);
        QCOMPARE(first.size(), 25);
        QCOMPARE(first, second);
        QVERIFY(first != other);
        QVERIFY(firstMessages != secondMessages);   // two runs, two sets of messages
    }

    void everyPublishesRounds()
    {
        const QString topic = unique(u"every"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        const Run run = publish(local(topic, {u"--every"_s, u"1s"_s, u"--count"_s, u"3"_s, u"--duration"_s, u"2500ms"_s}));
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        const qint64 sent = summaryCount(run.out, "sent");
        // Rounds at 0, 1 and 2 s; on a loaded machine the last may fall after the end.
        QVERIFY2(sent == 9 || sent == 6, run.out.constData());
        QCOMPARE(pullAll(m_pubsub.get(), subscription, int(sent)).size(), int(sent));
    }

    void sigintFlushesAndPrintsTheSummary()
    {
        const QString topic = unique(u"interrupt"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        const QString ids = file(u"interrupt.ids"_s);
        QProcess process;
        process.setProcessEnvironment(cliEnvironment());
        process.start(qEnvironmentVariable("AQ_CLI_BIN"),
                      QStringList {u"publish"_s} + local(topic, {u"--rate"_s, u"200"_s, u"--duration"_s, u"10m"_s, u"--ids-out"_s, ids}));
        QVERIFY(process.waitForStarted());
        QVERIFY2(QTest::qWaitFor([&] { return readIds(ids).size() >= 50; }, 20000), process.readAllStandardError().constData());
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(20000));
        const QByteArray out = process.readAllStandardOutput();
        QCOMPARE(process.exitCode(), 0);
        const qint64 sent = summaryCount(out, "sent");
        QVERIFY2(sent >= 50, out.constData());
        QCOMPARE(summaryCount(out, "failed"), 0);
        const QList<ReceivedMessage> received = pullAll(m_pubsub.get(), subscription, int(sent));
        QCOMPARE(received.size(), int(sent));
        compareIds(ids, received);
    }

    void theTopicIsCreatedUnlessNoCreate()
    {
        const QString topic = unique(u"fresh"_s);
        const Run refused = publish(local(topic, {u"--no-create"_s}));
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("does not exist"), refused.err.constData());
        QVERIFY(!wait<QString>([&](auto done) { m_pubsub->getTopic(topic, this, done); }));

        const Run created = publish(local(topic, {u"--count"_s, u"3"_s}));
        QVERIFY2(created.exitCode == 0, qPrintable(runText(created)));
        QVERIFY2(created.err.contains("created topic"), created.err.constData());
        const Result<QString> found = wait<QString>([&](auto done) { m_pubsub->getTopic(topic, this, done); });
        QVERIFY2(found, qPrintable(whyNot(found)));
    }

    void badFlagsAndTemplatesAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("count 0") << QStringList {u"--count"_s, u"0"_s} << u"--count"_s;
        QTest::newRow("count text") << QStringList {u"--count"_s, u"many"_s} << u"--count"_s;
        QTest::newRow("rate") << QStringList {u"--rate"_s, u"-5"_s} << u"--rate"_s;
        QTest::newRow("duration") << QStringList {u"--duration"_s, u"soon"_s} << u"--duration"_s;
        QTest::newRow("every") << QStringList {u"--every"_s, u"0s"_s} << u"--every"_s;
        QTest::newRow("attribute") << QStringList {u"--attribute"_s, u"novalue"_s} << u"key=value"_s;
        QTest::newRow("reserved attribute") << QStringList {u"--attribute"_s, u"googx=1"_s} << u"reserved"_s;
        QTest::newRow("seed") << QStringList {u"--seed"_s, u"-1"_s} << u"--seed"_s;
        QTest::newRow("positional") << QStringList {u"extra"_s} << u"extra"_s;
        QTest::newRow("unknown flag") << QStringList {u"--colour"_s} << u"colour"_s;
        QTest::newRow("missing template") << QStringList {u"--template"_s, u"/nonexistent.json"_s} << u"/nonexistent.json"_s;
    }

    void badFlagsAndTemplatesAreUsageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        const Run run = publish(local(u"usage"_s, arguments));
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(expected), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void aBadPlaceholderIsNamedWithItsPosition()
    {
        const QString eventTemplate = file(u"typo.json"_s, "{\n  \"event_id\": \"{{uuid}}\",\n  \"n\": \"{{int:9:1}}\"\n}\n");
        const Run run = publish(local(u"usage"_s, {u"--template"_s, eventTemplate}));
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("{{int:9:1}}") && run.err.contains("line 3, column 9") && run.err.contains("typo.json"), run.err.constData());

        const Run help = publish({u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains("--ids-out") && help.out.contains("a tab") && help.out.contains("{{seq:START}}"), help.out.constData());
    }

    void againstGooglesEmulator()
    {
        const QString missing = EmulatorProcess::missingRequirement();
        AQ_REQUIRE_PEER(missing.isEmpty(), missing);
        EmulatorProcess emulator;
        QVERIFY2(emulator.start(EmulatorProject), "Google's Pub/Sub emulator is installed but did not start");
        Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        PubSubClient pubsub(&rest, emulator.endpoint(), EmulatorProject);
        const QString topic = unique(u"emulator"_s);
        const QString subscription = makeTopic(&pubsub, topic);
        const QString ids = file(u"emulator.ids"_s);
        // --backend emulator with Pub/Sub's variable only: publishing needs no BigQuery.
        const Run run = publish({u"--backend"_s, u"emulator"_s, u"--project"_s, EmulatorProject, u"--topic"_s, topic, u"--count"_s, u"120"_s,
                                 u"--rate"_s, u"500"_s, u"--attribute"_s, u"origin=emulator"_s, u"--ids-out"_s, ids},
                                {{u"PUBSUB_EMULATOR_HOST"_s, emulator.hostPort()}});
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        QCOMPARE(summaryCount(run.out, "sent"), 120);
        const QList<ReceivedMessage> received = pullAll(&pubsub, subscription, 120);
        QCOMPARE(received.size(), 120);
        for (const ReceivedMessage &message : received)
            QCOMPARE(message.message.attributes.value(u"origin"_s), u"emulator"_s);
        compareIds(ids, received);

        // A topic the emulator does not have is created there.
        const QString fresh = unique(u"emulator-fresh"_s);
        const Run created = publish({u"--backend"_s, u"emulator"_s, u"--project"_s, EmulatorProject, u"--topic"_s, fresh},
                                    {{u"PUBSUB_EMULATOR_HOST"_s, emulator.hostPort()}});
        QVERIFY2(created.exitCode == 0, qPrintable(runText(created)));
        QVERIFY(wait<QString>([&](auto done) { pubsub.getTopic(fresh, this, done); }));
    }

    // Last: it stops the server. With no owner the command opens the data folder itself.
    void withoutAnOwnerTheCommandPublishesInProcess()
    {
        const QString topic = unique(u"in-process"_s);
        const QString subscription = makeTopic(m_pubsub.get(), topic);
        m_server.stop();
        const QString ids = file(u"in-process.ids"_s);
        const Run run = publish(local(topic, {u"--count"_s, u"40"_s, u"--ids-out"_s, ids}));
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        QVERIFY2(run.err.isEmpty(), run.err.constData());

        ServerTestProcess again;
        QVERIFY2(again.start(m_dataDir.path()), "aqueduct-server did not start again");
        PubSubClient pubsub(m_rest.get(), again.endpoint(), LocalProject);
        const QList<ReceivedMessage> received = pullAll(&pubsub, subscription, 40);
        QCOMPARE(received.size(), 40);
        compareIds(ids, received);
        again.stop();
    }
};

QTEST_GUILESS_MAIN(TestPublishCommand)
#include "testpublishcommand.moc"
