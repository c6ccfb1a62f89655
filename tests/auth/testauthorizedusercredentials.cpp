#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTest>

#include "authtestsupport.h"
#include "core/auth/authorizedusercredentials.h"
#include "core/auth/credentialsfile.h"
#include "core/auth/credentialsloader.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Auth;
using namespace Aq::Auth::Test;

namespace
{
    // Characters that must be percent-encoded in a form body.
    const QString CLIENT_SECRET = u"d-FL95Q19q7MQmFpd7hHD0Ty+/&="_s;
    const QString REFRESH_TOKEN = u"1//0gLxV9kYQ3r-CgYIARAAGBASNwF-L9Ir"_s;
    const QString CLIENT_ID = u"764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com"_s;
}

class TestAuthorizedUserCredentials final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_logs.emplace();
        m_json = QJsonObject {
            {u"type"_s, u"authorized_user"_s},
            {u"client_id"_s, CLIENT_ID},
            {u"client_secret"_s, CLIENT_SECRET},
            {u"refresh_token"_s, REFRESH_TOKEN},
            {u"quota_project_id"_s, u"quota-from-file"_s},
            {u"token_uri"_s, m_endpoint.url().toString()},
        };
        m_path = writeJson(m_dir.filePath(u"gcloud/application_default_credentials.json"_s), m_json);
        m_secrets << CLIENT_SECRET.toUtf8() << REFRESH_TOKEN.toUtf8() << QUrl::toPercentEncoding(CLIENT_SECRET);
    }

    void cleanupTestCase()
    {
        // before QtTest removes the handler this one forwards to
        m_logs.reset();
    }

    void init()
    {
        m_endpoint.reset();
        m_endpoint.setHandler([this](const Server::HttpRequest &request) { return verifyRefresh(request); });
    }

    void cleanup()
    {
        QVERIFY2(m_endpoint.problems().isEmpty(), qPrintable(m_endpoint.problems().join(u"; "_s)));
    }

    void testRefreshTokenGrant()
    {
        auto credentials = makeCredentials();
        const auto headers = headersOf(*credentials);
        QVERIFY2(headers && *headers, qPrintable(messageOf(headers)));
        QCOMPARE((*headers)->authorization, "Bearer ya29.user-token");
        QCOMPARE((*headers)->userProject, "quota-from-file");
        QCOMPARE(authorizationOf(*credentials), "Bearer ya29.user-token");
        QCOMPARE(m_endpoint.hits(), 1);
        QCOMPARE(credentials->description(), u"gcloud user credentials (%1)"_s.arg(m_path));
        QVERIFY(credentials->projectId().isEmpty());
    }

    void testQuotaProjectFromEnvironmentWins()
    {
        CredentialsOptions options;
        options.environment = {};
        options.environment.quotaProject = u"quota-from-env"_s;
        CredentialsResult credentials = loadCredentialsFile(m_path, &m_network, options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        const auto headers = headersOf(**credentials);
        QVERIFY2(headers && *headers, qPrintable(messageOf(headers)));
        QCOMPARE((*headers)->userProject, "quota-from-env");
    }

    void testNoQuotaProjectNoHeader()
    {
        QJsonObject json = m_json;
        json.remove(u"quota_project_id"_s);
        auto credentials = makeCredentials(json);
        const auto headers = headersOf(*credentials);
        QVERIFY2(headers && *headers, qPrintable(messageOf(headers)));
        QVERIFY((*headers)->userProject.isEmpty());
    }

    void testDefaultTokenUri()
    {
        QJsonObject json = m_json;
        json.remove(u"token_uri"_s);
        Result<AuthorizedUser> user = AuthorizedUser::fromFile(CredentialsFile(json, m_path));
        QVERIFY(user);
        QCOMPARE(user->tokenUri, QUrl(u"https://oauth2.googleapis.com/token"_s));
    }

    void testInvalidGrantSaysToLogInAgain()
    {
        m_endpoint.setHandler([](const Server::HttpRequest &) {
            return FakeEndpoint::oauthError(400, u"invalid_grant"_s, u"Token has been expired or revoked."_s);
        });
        auto credentials = makeCredentials();
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && !*headers);
        const ApiError &error = headers->error();
        QCOMPARE(error.httpStatus, 401);
        QCOMPARE(error.status, u"UNAUTHENTICATED"_s);
        for (const QString &part : {m_path, u"invalid_grant"_s, u"Token has been expired or revoked."_s, u"gcloud auth application-default login"_s})
            QVERIFY2(error.message.contains(part), qPrintable(error.message));
        QCOMPARE(m_endpoint.hits(), 1);
        m_errors << error.message;
    }

    void testNoSecretInMessagesOrLogs()
    {
        QVERIFY(!m_errors.isEmpty());
        const QString leak = textWithSecret(m_errors + LogCapture::messages(), m_secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(u"a secret in: "_s + leak));
    }

private:
    std::unique_ptr<AuthorizedUserCredentials> makeCredentials(const QJsonObject &json = {})
    {
        Result<AuthorizedUser> user = AuthorizedUser::fromFile(CredentialsFile(json.isEmpty() ? m_json : json, m_path));
        if (!user)
            qFatal("%s", qPrintable(user.error().message));
        return std::make_unique<AuthorizedUserCredentials>(*user, &m_network);
    }

    Server::HttpResponse verifyRefresh(const Server::HttpRequest &request)
    {
        QHash<QString, QString> fields;
        for (const auto &[name, value] : Server::HttpRequest::parseQuery(request.body()))
            fields.insert(name, value);
        const QHash<QString, QString> expected {
            {u"grant_type"_s, u"refresh_token"_s},
            {u"client_id"_s, CLIENT_ID},
            {u"client_secret"_s, CLIENT_SECRET},
            {u"refresh_token"_s, REFRESH_TOKEN},
        };
        if (request.method() != "POST" || request.header("Content-Type") != "application/x-www-form-urlencoded")
            return m_endpoint.refuse(u"not a form POST"_s);
        if (fields != expected)
            return m_endpoint.refuse(u"the form fields are not the expected ones: "_s + QStringList(fields.keys()).join(u','));
        m_secrets << "ya29.user-token";
        return FakeEndpoint::tokenResponse("ya29.user-token");
    }

    std::optional<LogCapture> m_logs;
    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    FakeEndpoint m_endpoint;
    QJsonObject m_json;
    QString m_path;
    QStringList m_errors;
    QList<QByteArray> m_secrets;
};

QTEST_GUILESS_MAIN(TestAuthorizedUserCredentials)
#include "testauthorizedusercredentials.moc"
