// PubSubClient's Publisher, publishing as fast as flow control lets it: the "PubSubClient publish msgs/s",
// measured beside Google's Node client (publish-node.js) by run-publish-bench.sh.
//
//   benchpublisher --endpoint http://127.0.0.1:8085 --name emulator [--messages 200000] [--project bench] [--topic t]
//
// Prints one JSON line. The topic is created when missing. Messages are ~300-byte JSON events, the same bytes
// publish-node.js sends.
#include <cstdio>
#include <optional>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include "core/auth/nocredentials.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"
#include "core/rest/restclient.h"

#include "processcpu.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    QByteArray eventBody(int i)
    {
        // 300 bytes, as publish-node.js builds it.
        QByteArray body = "{\"event_id\":\"00000000-0000-4000-8000-" + QByteArray::number(i).rightJustified(12, '0')
            + "\",\"event_type\":\"page_view\",\"timestamp\":\"2026-11-23T12:00:00.000Z\",\"user_id\":\"user-" + QByteArray::number(i % 1000)
            + "\",\"event_data\":{\"page\":\"/products/42\",\"browser\":\"firefox\",\"country\":\"DE\",\"device\":\"desktop\",\"pad\":\"";
        body += QByteArray(qMax<qsizetype>(0, 298 - body.size()), 'x');
        body += "\"}}";
        return body;
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption endpoint(u"endpoint"_s, u"Pub/Sub REST endpoint."_s, u"url"_s);
    const QCommandLineOption name(u"name"_s, u"Server name for the report."_s, u"name"_s, u"server"_s);
    const QCommandLineOption messages(u"messages"_s, u"Messages to publish."_s, u"n"_s, u"200000"_s);
    const QCommandLineOption project(u"project"_s, u"Project."_s, u"id"_s, u"bench"_s);
    const QCommandLineOption topic(u"topic"_s, u"Topic."_s, u"name"_s, u"bench-publisher"_s);
    parser.addOptions({endpoint, name, messages, project, topic});
    parser.process(app);
    const int total = parser.value(messages).toInt();

    Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
    PubSub::PubSubClient client(&rest, QUrl(parser.value(endpoint)), parser.value(project));
    std::optional<Result<QString>> created;
    client.createTopic(parser.value(topic), nullptr, [&](Result<QString> r) { created.emplace(std::move(r)); });
    while (!created)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    if (!*created && created->error().httpStatus != 409) {
        fprintf(stderr, "benchpublisher: cannot create the topic: %s\n", qPrintable(created->error().message));
        return 1;
    }

    // The same batching as publish-node.js: 1,000 messages or 10 ms, and a bound on messages in flight.
    PubSub::PublisherSettings settings;
    settings.maxMessages = 1000;
    settings.maxLatency = std::chrono::milliseconds(10);
    settings.maxOutstandingMessages = 20000;
    PubSub::Publisher publisher(&client, parser.value(topic), settings);

    QList<QByteArray> bodies;
    bodies.reserve(total);
    for (int i = 0; i < total; ++i)
        bodies.append(eventBody(i));

    int next = 0;
    int answered = 0;
    int failed = 0;
    QString firstError;
    QElapsedTimer clock;
    std::function<void()> pump = [&] {
        while (next < total && publisher.hasCapacity()) {
            PubSub::PubsubMessage message;
            message.data = bodies[next++];
            const Status accepted = publisher.publish(message, [&](Result<QString> id) {
                ++answered;
                if (!id) {
                    ++failed;
                    if (firstError.isEmpty())
                        firstError = id.error().message;
                }
                if (answered == total)
                    QCoreApplication::quit();
            });
            if (!accepted) {
                fprintf(stderr, "benchpublisher: %s\n", qPrintable(accepted.error().message));
                QCoreApplication::exit(1);
                return;
            }
        }
        if (next >= total)
            publisher.flush();
    };
    QObject::connect(&publisher, &PubSub::Publisher::capacityAvailable, &app, [&] { QTimer::singleShot(0, &app, pump); });
    const double cpuAtStart = processCpuSeconds();
    clock.start();
    QTimer::singleShot(0, &app, pump);
    const int code = QCoreApplication::exec();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const double cpuSeconds = processCpuSeconds() - cpuAtStart;
    if (code != 0)
        return code;
    printf("{\"client\":\"aqueduct-publisher\",\"server\":\"%s\",\"messages\":%d,\"failed\":%d,\"seconds\":%.3f,\"msgs_per_s\":%.0f,\"client_cpu_s\":%.3f%s}\n",
           qPrintable(parser.value(name)), total, failed, seconds, total / seconds, cpuSeconds,
           firstError.isEmpty() ? "" : qPrintable(u",\"first_error\":\"%1\""_s.arg(firstError.replace(u'"', u'\''))));
    return failed == 0 ? 0 : 1;
}
