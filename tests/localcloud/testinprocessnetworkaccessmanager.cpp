#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include "core/localcloud/inprocessnetworkaccessmanager.h"
#include "localcloudtestclient.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::LocalCloud;

// The core reaches the local cloud through QNetworkAccessManager without a socket, with the cloud on its
// own thread as in the app.
class TestInProcessNetworkAccessManager final : public QObject
{
    Q_OBJECT

private:
    static QNetworkReply *waitFor(QNetworkReply *reply)
    {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(10000);
        return reply;
    }

private slots:
    void testRequestsReachTheCloudThread()
    {
        QTemporaryDir dir;
        LocalCloudOptions options;
        options.dataDir = dir.path();
        LocalCloudHost host(options);
        QVERIFY(host.start().hasValue());
        InProcessNetworkAccessManager nam(host.cloud());
        QUrl url = InProcessNetworkAccessManager::baseUrl();
        url.setPath(u"/v1/projects/p1/topics/events"_s);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);

        std::unique_ptr<QNetworkReply> created(waitFor(nam.put(request, QByteArray("{}"))));
        QCOMPARE(created->error(), QNetworkReply::NoError);
        QCOMPARE(created->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(QJsonDocument::fromJson(created->readAll()).object()[u"name"_s].toString(), u"projects/p1/topics/events"_s);

        std::unique_ptr<QNetworkReply> again(waitFor(nam.put(request, QByteArray("{}"))));
        QCOMPARE(again->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 409);
        QCOMPARE(again->error(), QNetworkReply::ContentConflictError);
        QVERIFY(QJsonDocument::fromJson(again->readAll()).object()[u"error"_s][u"message"_s].toString().contains(u"already exists"_s));

        url.setPath(u"/v1/projects/p1/topics"_s);
        url.setQuery(u"pageSize=10&$alt=json;enum-encoding=int"_s);
        std::unique_ptr<QNetworkReply> listed(waitFor(nam.get(QNetworkRequest(url))));
        QCOMPARE(QJsonDocument::fromJson(listed->readAll()).object()[u"topics"_s].toArray().size(), 1);

        url.setPath(u"/bigquery/v2/projects/p1/datasets"_s);
        url.setQuery(QString());
        std::unique_ptr<QNetworkReply> dataset(waitFor(nam.post(QNetworkRequest(url), QByteArray(R"({"datasetReference":{"datasetId":"analytics"}})"))));
        QCOMPARE(dataset->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        host.stop();
    }

    void testOtherHostsStillGoToTheNetworkAndAStoppedCloudFailsCleanly()
    {
        InProcessNetworkAccessManager nam(nullptr);
        QUrl url = InProcessNetworkAccessManager::baseUrl();
        url.setPath(u"/v1/projects/p1/topics"_s);
        std::unique_ptr<QNetworkReply> reply(waitFor(nam.get(QNetworkRequest(url))));
        QCOMPARE(reply->error(), QNetworkReply::ConnectionRefusedError);
        std::unique_ptr<QNetworkReply> real(waitFor(nam.get(QNetworkRequest(QUrl(u"http://127.0.0.1:1/"_s)))));
        QCOMPARE(real->error(), QNetworkReply::ConnectionRefusedError);
    }
};

QTEST_GUILESS_MAIN(TestInProcessNetworkAccessManager)
#include "testinprocessnetworkaccessmanager.moc"
