#include <QNetworkAccessManager>
#include <QTest>

#include "authtestsupport.h"
#include "core/auth/metadataservercredentials.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Auth;
using namespace Aq::Auth::Test;

namespace
{
    const QString TOKEN_PATH = u"/computeMetadata/v1/instance/service-accounts/default/token"_s;
    const QString PROJECT_PATH = u"/computeMetadata/v1/project/project-id"_s;
}

class TestMetadataServerCredentials final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_endpoint.reset();
        m_flavorInReplies = true;
        m_endpoint.setHandler([this](const Server::HttpRequest &request) { return answer(request); });
    }

    void testToken()
    {
        MetadataServerCredentials credentials(&m_network, m_endpoint.hostAndPort());
        const auto headers = headersOf(credentials);
        QVERIFY2(headers && *headers, qPrintable(messageOf(headers)));
        QCOMPARE((*headers)->authorization, "Bearer ya29.metadata-token");
        QVERIFY((*headers)->userProject.isEmpty());
        QCOMPARE(authorizationOf(credentials), "Bearer ya29.metadata-token");
        QCOMPARE(m_endpoint.hits(), 1);
        const Server::HttpRequest request = m_endpoint.requests().constFirst();
        QCOMPARE(request.method(), "GET");
        QCOMPARE(request.path(), TOKEN_PATH);
        QCOMPARE(request.header("Metadata-Flavor"), "Google");
        QCOMPARE(credentials.description(), u"metadata server (%1)"_s.arg(m_endpoint.hostAndPort()));
    }

    void testScopesAreAskedFor()
    {
        MetadataServerCredentials credentials(&m_network, m_endpoint.hostAndPort());
        credentials.setScopes({u"https://www.googleapis.com/auth/pubsub"_s, u"https://www.googleapis.com/auth/bigquery"_s});
        QCOMPARE(authorizationOf(credentials), "Bearer ya29.metadata-token");
        QCOMPARE(m_endpoint.requests().constFirst().queryItemValue(u"scopes"_s),
                 u"https://www.googleapis.com/auth/pubsub,https://www.googleapis.com/auth/bigquery"_s);
    }

    void testProjectId()
    {
        MetadataServerCredentials credentials(&m_network, m_endpoint.hostAndPort());
        std::optional<Result<QString>> projectId;
        credentials.fetchProjectId(2000, [&projectId](Result<QString> result) { projectId = std::move(result); });
        QVERIFY(QTest::qWaitFor([&] { return projectId.has_value(); }, 5000));
        QVERIFY2(*projectId, qPrintable(messageOf(projectId)));
        QCOMPARE(**projectId, u"metadata-project"_s);
        QCOMPARE(credentials.projectId(), u"metadata-project"_s);
    }

    void testReplyWithoutFlavorIsRefused()
    {
        m_flavorInReplies = false;
        MetadataServerCredentials credentials(&m_network, m_endpoint.hostAndPort());
        const auto headers = headersOf(credentials);
        QVERIFY(headers && !*headers);
        QVERIFY2(headers->error().message.contains(u"Metadata-Flavor"_s), qPrintable(headers->error().message));
        QVERIFY(!headers->error().message.contains(u"ya29"_s));
        // not a transient failure: asked once
        QCOMPARE(m_endpoint.hits(), 1);

        std::optional<Result<QString>> projectId;
        credentials.fetchProjectId(2000, [&projectId](Result<QString> result) { projectId = std::move(result); });
        QVERIFY(QTest::qWaitFor([&] { return projectId.has_value(); }, 5000));
        QVERIFY(!*projectId);
        QVERIFY(credentials.projectId().isEmpty());
    }

    void testDefaultHost()
    {
        MetadataServerCredentials credentials(&m_network);
        QCOMPARE(credentials.baseUrl(), QUrl(u"http://metadata.google.internal"_s));
    }

private:
    // A metadata server: refuses requests without Metadata-Flavor: Google, as the real one does.
    Server::HttpResponse answer(const Server::HttpRequest &request)
    {
        Server::HttpResponse response;
        if (request.header("Metadata-Flavor") != "Google")
            response = Server::HttpResponse(403, "text/plain", "Missing Metadata-Flavor:Google header.");
        else if (request.path() == TOKEN_PATH)
            response = FakeEndpoint::tokenResponse("ya29.metadata-token");
        else if (request.path() == PROJECT_PATH)
            response = Server::HttpResponse(200, "application/text", "metadata-project");
        else
            response = Server::HttpResponse(404, "text/plain", "not found");
        if (m_flavorInReplies)
            response.setHeader("Metadata-Flavor", "Google");
        return response;
    }

    QNetworkAccessManager m_network;
    FakeEndpoint m_endpoint;
    bool m_flavorInReplies = true;
};

QTEST_GUILESS_MAIN(TestMetadataServerCredentials)
#include "testmetadataservercredentials.moc"
