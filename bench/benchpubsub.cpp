// Pub/Sub throughput of a REST server (the local cloud, or Google's emulator) with ~300-byte messages in
// batches of 1,000: publish msgs/s, then pull+ack msgs/s. Prints one JSON line.
//   benchpubsub --endpoint http://127.0.0.1:8085 --name emulator [--messages 200000] [--in-flight 4]
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QUuid>

#include "benchclient.h"

using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{u"endpoint"_s, u"server base URL"_s, u"url"_s},
                       {u"name"_s, u"label for the output"_s, u"name"_s, u"server"_s},
                       {u"messages"_s, u"messages to publish and pull"_s, u"n"_s, u"200000"_s},
                       {u"batch"_s, u"messages per publish request"_s, u"n"_s, u"1000"_s},
                       {u"size"_s, u"bytes of data per message"_s, u"n"_s, u"300"_s},
                       {u"in-flight"_s, u"requests in flight"_s, u"n"_s, u"4"_s}});
    parser.process(app);
    const int total = parser.value(u"messages"_s).toInt();
    const int batch = parser.value(u"batch"_s).toInt();
    const int size = parser.value(u"size"_s).toInt();
    const int inFlight = parser.value(u"in-flight"_s).toInt();
    BenchClient client(QUrl(parser.value(u"endpoint"_s)));
    const QString suffix = QUuid::createUuid().toString(QUuid::Id128).left(8);
    const QString topic = u"/v1/projects/bench/topics/bench-"_s + suffix;
    const QString sub = u"/v1/projects/bench/subscriptions/bench-"_s + suffix;
    if (client.call("PUT", topic, "{}").status != 200
        || client.call("PUT", sub, "{\"topic\":\"projects/bench/topics/bench-" + suffix.toLatin1() + "\",\"ackDeadlineSeconds\":600}").status != 200) {
        fprintf(stderr, "cannot create the topic and subscription at %s\n", qPrintable(parser.value(u"endpoint"_s)));
        return 1;
    }

    // one request body, reused: ~300 bytes of data per message
    QByteArray payload(size, 'x');
    for (char &c : payload)
        c = char('a' + QRandomGenerator::global()->bounded(26));
    QJsonArray messages;
    for (int i = 0; i < batch; ++i)
        messages.append(QJsonObject {{u"data"_s, QString::fromLatin1(payload.toBase64())}, {u"attributes"_s, QJsonObject {{u"k"_s, u"v"_s}}}});
    const QByteArray body = QJsonDocument(QJsonObject {{u"messages"_s, messages}}).toJson(QJsonDocument::Compact);

    int sent = 0;
    int published = 0;
    int failures = 0;
    const double publishSeconds = client.drive(
        inFlight,
        [&]() -> QNetworkReply * {
            if (sent >= total)
                return nullptr;
            sent += batch;
            return client.send("POST", topic + u":publish"_s, body);
        },
        [&](QNetworkReply *reply) {
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                published += batch;
            else
                ++failures;
        });

    int received = 0;
    int leased = 0;
    int emptyPulls = 0;
    int acksRunning = 0;
    QEventLoop acksDone;
    QElapsedTimer pullTimer;
    pullTimer.start();
    client.drive(
        inFlight,
        [&]() -> QNetworkReply * {
            if (leased >= published || emptyPulls > 50)
                return nullptr;
            return client.send("POST", sub + u":pull"_s, QByteArray("{\"maxMessages\":1000,\"returnImmediately\":true}"));
        },
        [&](QNetworkReply *reply) {
            const QJsonArray got = QJsonDocument::fromJson(reply->readAll()).object().value(u"receivedMessages"_s).toArray();
            if (got.isEmpty()) {
                ++emptyPulls;
                return;
            }
            leased += int(got.size());
            QJsonArray ackIds;
            for (const QJsonValue &m : got)
                ackIds.append(m[u"ackId"_s]);
            // the acknowledgement is part of the measured work (pull+ack)
            QNetworkReply *ack = client.send("POST", sub + u":acknowledge"_s, QJsonDocument(QJsonObject {{u"ackIds"_s, ackIds}}).toJson(QJsonDocument::Compact));
            ++acksRunning;
            QObject::connect(ack, &QNetworkReply::finished, ack, [&, ack, n = int(got.size())] {
                if (ack->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                    received += n;
                ack->deleteLater();
                if (--acksRunning == 0)
                    acksDone.quit();
            });
        });
    if (acksRunning > 0)
        acksDone.exec();
    const double pullSeconds = double(pullTimer.nsecsElapsed()) / 1e9;
    client.call("DELETE", sub);
    client.call("DELETE", topic);
    printf("{\"server\":\"%s\",\"messages\":%d,\"message_bytes\":%d,\"batch\":%d,\"in_flight\":%d,"
           "\"publish_msgs_per_s\":%.0f,\"pull_ack_msgs_per_s\":%.0f,\"published\":%d,\"pulled_acked\":%d,\"publish_failures\":%d}\n",
           qPrintable(parser.value(u"name"_s)), total, size, batch, inFlight, published / publishSeconds, received / pullSeconds, published,
           received, failures);
    return received == published && failures == 0 ? 0 : 1;
}
