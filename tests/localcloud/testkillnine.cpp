#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;

// kill -9 of the server while clients publish and insert: everything the server acknowledged (HTTP 200)
// is there after a restart.
class TestKillNine final : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_nam;
    QUrl m_base;

    QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QUrl url = m_base;
        url.setPath(path);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        return m_nam.sendCustomRequest(request, method, body);
    }

    QJsonObject call(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkReply *reply = send(method, path, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(30000);
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return json;
    }

private slots:
    void testAcknowledgedPublishesAndInsertsSurviveKillNine()
    {
        QTemporaryDir dir;
        ServerTestProcess server;
        QVERIFY(server.start(dir.path()));
        m_base = server.endpoint();
        call("PUT", u"/v1/projects/p/topics/events"_s);
        call("PUT", u"/v1/projects/p/subscriptions/ingest"_s, R"({"topic":"projects/p/topics/events"})");
        call("POST", u"/bigquery/v2/projects/p/datasets"_s, R"({"datasetReference":{"datasetId":"ds"}})");
        const QJsonObject table = call("POST", u"/bigquery/v2/projects/p/datasets/ds/tables"_s,
                                       R"({"tableReference":{"tableId":"t"},"schema":{"fields":[{"name":"id","type":"STRING","mode":"REQUIRED"}]}})");
        QCOMPARE(table[u"id"_s].toString(), u"p:ds.t"_s);

        // Keep several requests in flight of each kind until the kill, counting only what got a 200.
        QSet<QString> publishedAcknowledged;
        QSet<QString> insertedAcknowledged;
        int next = 0;
        bool killed = false;
        std::function<void()> publishOne;
        std::function<void()> insertOne;
        publishOne = [&] {
            if (killed)
                return;
            QStringList payloads;
            QJsonArray messages;
            for (int i = 0; i < 50; ++i) {
                payloads.append(u"m%1"_s.arg(next++));
                messages.append(QJsonObject {{u"data"_s, QString::fromLatin1(payloads.last().toUtf8().toBase64())}});
            }
            QNetworkReply *reply = send("POST", u"/v1/projects/p/topics/events:publish"_s, QJsonDocument(QJsonObject {{u"messages"_s, messages}}).toJson());
            connect(reply, &QNetworkReply::finished, this, [&, reply, payloads] {
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                    publishedAcknowledged.unite(QSet<QString>(payloads.begin(), payloads.end()));
                reply->deleteLater();
                publishOne();
            });
        };
        insertOne = [&] {
            if (killed)
                return;
            QStringList ids;
            QJsonArray rows;
            for (int i = 0; i < 50; ++i) {
                ids.append(u"r%1"_s.arg(next++));
                rows.append(QJsonObject {{u"insertId"_s, ids.last()}, {u"json"_s, QJsonObject {{u"id"_s, ids.last()}}}});
            }
            QNetworkReply *reply = send("POST", u"/bigquery/v2/projects/p/datasets/ds/tables/t/insertAll"_s, QJsonDocument(QJsonObject {{u"rows"_s, rows}}).toJson());
            connect(reply, &QNetworkReply::finished, this, [&, reply, ids] {
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200
                    && !QJsonDocument::fromJson(reply->readAll()).object().contains(u"insertErrors"_s))
                    insertedAcknowledged.unite(QSet<QString>(ids.begin(), ids.end()));
                reply->deleteLater();
                insertOne();
            });
        };
        for (int i = 0; i < 3; ++i) {
            publishOne();
            insertOne();
        }
        QTRY_VERIFY_WITH_TIMEOUT(publishedAcknowledged.size() >= 3000 && insertedAcknowledged.size() >= 3000, 60000);
        server.kill();
        killed = true;
        QTest::qWait(200);   // let the failed replies of the dead server arrive
        const qsizetype published = publishedAcknowledged.size();
        const qsizetype inserted = insertedAcknowledged.size();
        qInfo("acknowledged before kill -9: %lld published, %lld inserted", qint64(published), qint64(inserted));

        ServerTestProcess restarted;
        QVERIFY2(restarted.start(dir.path()), "the data folder must be free again after kill -9");
        m_base = restarted.endpoint();
        QSet<QString> pulled;
        for (;;) {
            const QJsonArray got = call("POST", u"/v1/projects/p/subscriptions/ingest:pull"_s, R"({"maxMessages":1000,"returnImmediately":true})")
                                       .value(u"receivedMessages"_s).toArray();
            if (got.isEmpty())
                break;
            QJsonArray ackIds;
            for (const QJsonValue &m : got) {
                pulled.insert(QString::fromUtf8(QByteArray::fromBase64(m[u"message"_s][u"data"_s].toString().toLatin1())));
                ackIds.append(m[u"ackId"_s]);
            }
            call("POST", u"/v1/projects/p/subscriptions/ingest:acknowledge"_s, QJsonDocument(QJsonObject {{u"ackIds"_s, ackIds}}).toJson());
        }
        QVERIFY2(pulled.contains(publishedAcknowledged), "an acknowledged publish was lost");
        QSet<QString> stored;
        QString token;
        do {
            const QJsonObject page = call("GET", u"/bigquery/v2/projects/p/datasets/ds/tables/t/data"_s + (token.isEmpty() ? QString() : u"?pageToken="_s + token));
            for (const QJsonValue &row : page[u"rows"_s].toArray())
                stored.insert(row[u"f"_s][0][u"v"_s].toString());
            token = page[u"pageToken"_s].toString();
        } while (!token.isEmpty());
        QVERIFY2(stored.contains(insertedAcknowledged), "an acknowledged insert was lost");
    }
};

QTEST_GUILESS_MAIN(TestKillNine)
#include "testkillnine.moc"
