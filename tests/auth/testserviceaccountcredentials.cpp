#include <QDateTime>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTest>

#include "authtestsupport.h"
#include "core/auth/credentialsfile.h"
#include "core/auth/serviceaccountcredentials.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Auth;
using namespace Aq::Auth::Test;

class TestServiceAccountCredentials final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_logs.emplace();
        m_key = TestRsaKey::generate();
        m_keyJson = serviceAccountJson(m_key, m_endpoint.url());
        m_keyPath = writeJson(m_dir.filePath(u"key.json"_s), m_keyJson);
        m_secrets << m_key.privatePem() << m_key.privatePem().split('\n').value(5);
    }

    void cleanupTestCase()
    {
        // before QtTest removes the handler this one forwards to
        m_logs.reset();
    }

    void init()
    {
        m_endpoint.reset();
        m_issued = 0;
        m_expiresIn = 3599;
        m_endpoint.setHandler([this](const Server::HttpRequest &request) { return verifyExchange(request); });
    }

    void cleanup()
    {
        QVERIFY2(m_endpoint.problems().isEmpty(), qPrintable(m_endpoint.problems().join(u"; "_s)));
    }

    void testExchangeSendsAVerifiedJwt()
    {
        auto credentials = makeCredentials();
        const auto headers = headersOf(*credentials);
        QVERIFY(headers);
        QVERIFY2(*headers, qPrintable(messageOf(headers)));
        QCOMPARE((*headers)->authorization, "Bearer ya29.test-token-1");
        QVERIFY((*headers)->userProject.isEmpty());
        QCOMPARE(m_endpoint.hits(), 1);
        const Server::HttpRequest request = m_endpoint.requests().constFirst();
        QCOMPARE(request.method(), "POST");
        QCOMPARE(request.header("Content-Type"), "application/x-www-form-urlencoded");
    }

    void testSecondCallReusesTheToken()
    {
        auto credentials = makeCredentials();
        QCOMPARE(authorizationOf(*credentials), "Bearer ya29.test-token-1");
        const auto second = headersOf(*credentials);
        QVERIFY(second && *second);
        QCOMPARE((*second)->authorization, "Bearer ya29.test-token-1");
        QCOMPARE(m_endpoint.hits(), 1);
    }

    void testConcurrentCallersShareOneExchange()
    {
        auto credentials = makeCredentials();
        m_endpoint.setDelay(200);
        QList<QByteArray> tokens;
        int failures = 0;
        for (int i = 0; i < 25; ++i) {
            credentials->headersFor(QUrl(u"https://bigquery.googleapis.com"_s), [&](Result<AuthorizationHeaders> headers) {
                if (headers)
                    tokens << headers->authorization;
                else
                    ++failures;
            });
        }
        QVERIFY(QTest::qWaitFor([&] { return tokens.size() + failures == 25; }, 10000));
        QCOMPARE(failures, 0);
        QCOMPARE(m_endpoint.hits(), 1);
        QCOMPARE(tokens.count("Bearer ya29.test-token-1"), 25);
    }

    void testTokenNearExpiryIsRefreshed()
    {
        // refreshed halfway through a life shorter than the usual 5 minute margin
        m_expiresIn = 2;
        auto credentials = makeCredentials();
        QCOMPARE(authorizationOf(*credentials), "Bearer ya29.test-token-1");
        QCOMPARE(authorizationOf(*credentials), "Bearer ya29.test-token-1");
        QCOMPARE(m_endpoint.hits(), 1);
        QTest::qWait(1200);
        const auto refreshed = headersOf(*credentials);
        QVERIFY(refreshed && *refreshed);
        QCOMPARE((*refreshed)->authorization, "Bearer ya29.test-token-2");
        QCOMPARE(m_endpoint.hits(), 2);
    }

    void testInvalidateForcesANewExchange()
    {
        auto credentials = makeCredentials();
        QCOMPARE(authorizationOf(*credentials), "Bearer ya29.test-token-1");
        credentials->invalidate();
        const auto after = headersOf(*credentials);
        QVERIFY(after && *after);
        QCOMPARE((*after)->authorization, "Bearer ya29.test-token-2");
        QCOMPARE(m_endpoint.hits(), 2);
    }

    void testServerErrorIsRetried()
    {
        int calls = 0;
        m_endpoint.setHandler([&](const Server::HttpRequest &request) {
            return ++calls == 1 ? Server::HttpResponse::json(503, R"({"error":"temporarily_unavailable"})"_ba) : verifyExchange(request);
        });
        auto credentials = makeCredentials();
        const auto headers = headersOf(*credentials);
        QVERIFY(headers);
        QVERIFY2(*headers, qPrintable(messageOf(headers)));
        QCOMPARE((*headers)->authorization, "Bearer ya29.test-token-1");
        QCOMPARE(m_endpoint.hits(), 2);
    }

    void testPersistentServerErrorGivesUp()
    {
        m_endpoint.setHandler([](const Server::HttpRequest &) { return Server::HttpResponse::json(500, "{}"_ba); });
        auto credentials = makeCredentials();
        credentials->setRetryPolicy(TokenRetryPolicy {3, 10, 50});
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && !*headers);
        QCOMPARE(headers->error().status, u"UNAVAILABLE"_s);
        QVERIFY(headers->error().retryable);
        QVERIFY2(headers->error().message.contains(u"HTTP 500"_s), qPrintable(messageOf(headers)));
        QCOMPARE(m_endpoint.hits(), 3);
        m_errors << headers->error().message;
    }

    void testInvalidGrantIsAClearError()
    {
        m_endpoint.setHandler([](const Server::HttpRequest &) {
            return FakeEndpoint::oauthError(400, u"invalid_grant"_s, u"Invalid JWT Signature."_s);
        });
        auto credentials = makeCredentials();
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && !*headers);
        const ApiError &error = headers->error();
        QCOMPARE(error.httpStatus, 401);
        QCOMPARE(error.status, u"UNAUTHENTICATED"_s);
        QVERIFY(!error.retryable);
        for (const QString &part : {m_keyPath, u"ingest@test-project.iam.gserviceaccount.com"_s, u"invalid_grant"_s, u"Invalid JWT Signature."_s})
            QVERIFY2(error.message.contains(part), qPrintable(error.message));
        QCOMPARE(m_endpoint.hits(), 1);
        m_errors << error.message;
    }

    void testUnreachableEndpointIsUnavailable()
    {
        QJsonObject json = m_keyJson;
        json[u"token_uri"_s] = u"http://127.0.0.1:%1/token"_s.arg(closedPort());
        auto credentials = makeCredentials(json);
        credentials->setRetryPolicy(TokenRetryPolicy {2, 10, 50});
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && !*headers);
        QCOMPARE(headers->error().status, u"UNAVAILABLE"_s);
        QVERIFY2(headers->error().message.contains(u"cannot get an access token"_s), qPrintable(messageOf(headers)));
        m_errors << headers->error().message;
    }

    void testSilentEndpointTimesOut()
    {
        m_endpoint.setSilent(true);
        auto credentials = makeCredentials();
        credentials->setRequestTimeout(300);
        credentials->setRetryPolicy(TokenRetryPolicy {1, 10, 50});
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && !*headers);
        QVERIFY2(headers->error().message.contains(u"no answer within 300 ms"_s), qPrintable(messageOf(headers)));
        m_errors << headers->error().message;
    }

    void testQuotaProjectHeader()
    {
        QJsonObject json = m_keyJson;
        json[u"quota_project_id"_s] = u"billing-project"_s;
        auto credentials = makeCredentials(json);
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && *headers);
        QCOMPARE((*headers)->userProject, "billing-project");
    }

    void testSelfSignedAudienceForm_data()
    {
        QTest::addColumn<QString>("serviceUrl");
        QTest::addColumn<QString>("audience");
        QTest::newRow("pubsub") << u"https://pubsub.googleapis.com"_s << u"https://pubsub.googleapis.com/"_s;
        QTest::newRow("bigquery with path") << u"https://bigquery.googleapis.com/bigquery/v2/"_s << u"https://bigquery.googleapis.com/"_s;
        QTest::newRow("port ignored") << u"https://pubsub.googleapis.com:443"_s << u"https://pubsub.googleapis.com/"_s;
    }

    void testSelfSignedAudienceForm()
    {
        QFETCH(QString, serviceUrl);
        QFETCH(QString, audience);
        auto credentials = makeCredentials();
        credentials->setTokenMode(ServiceAccountTokenMode::SelfSignedAudience);
        const auto headers = headersOf(*credentials, QUrl(serviceUrl));
        QVERIFY(headers);
        QVERIFY2(*headers, qPrintable(messageOf(headers)));
        QVERIFY((*headers)->authorization.startsWith("Bearer "));
        const QByteArray jwt = (*headers)->authorization.mid(7);
        m_secrets << jwt;
        const VerifiedJwt verified = verifyJwt(jwt, m_key);
        QVERIFY2(verified.problems.isEmpty(), qPrintable(verified.problems.join(u"; "_s)));
        checkHeader(verified.header);
        const QJsonObject &claims = verified.claims;
        QCOMPARE(claims.value(u"iss"_s).toString(), u"ingest@test-project.iam.gserviceaccount.com"_s);
        QCOMPARE(claims.value(u"sub"_s).toString(), u"ingest@test-project.iam.gserviceaccount.com"_s);
        QCOMPARE(claims.value(u"aud"_s).toString(), audience);
        QVERIFY(!claims.contains(u"scope"_s));
        QCOMPARE(claims.value(u"exp"_s).toInteger() - claims.value(u"iat"_s).toInteger(), 3600);
        QVERIFY(qAbs(claims.value(u"iat"_s).toInteger() - QDateTime::currentSecsSinceEpoch()) <= 5);
        QCOMPARE(m_endpoint.hits(), 0);

        // reused while fresh, made again after invalidate()
        QCOMPARE(authorizationOf(*credentials, QUrl(serviceUrl)), (*headers)->authorization);
        credentials->invalidate();
        QTest::qWait(1100);   // a new iat
        const QByteArray renewed = authorizationOf(*credentials, QUrl(serviceUrl));
        QVERIFY(renewed.startsWith("Bearer "));
        QVERIFY(renewed != (*headers)->authorization);
    }

    void testSelfSignedScopeForm()
    {
        auto credentials = makeCredentials();
        credentials->setTokenMode(ServiceAccountTokenMode::SelfSignedScope);
        credentials->setScopes({CLOUD_PLATFORM_SCOPE, u"https://www.googleapis.com/auth/pubsub"_s});
        const auto headers = headersOf(*credentials);
        QVERIFY(headers && *headers);
        const QByteArray jwt = (*headers)->authorization.mid(7);
        m_secrets << jwt;
        const VerifiedJwt verified = verifyJwt(jwt, m_key);
        QVERIFY2(verified.problems.isEmpty(), qPrintable(verified.problems.join(u"; "_s)));
        checkHeader(verified.header);
        QCOMPARE(verified.claims.value(u"scope"_s).toString(), u"https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/pubsub"_s);
        QCOMPARE(verified.claims.value(u"sub"_s).toString(), u"ingest@test-project.iam.gserviceaccount.com"_s);
        QVERIFY(!verified.claims.contains(u"aud"_s));
        QCOMPARE(verified.claims.value(u"exp"_s).toInteger() - verified.claims.value(u"iat"_s).toInteger(), 3600);
        QCOMPARE(m_endpoint.hits(), 0);
    }

    void testSelfSignedAudienceNeedsAHost()
    {
        auto credentials = makeCredentials();
        credentials->setTokenMode(ServiceAccountTokenMode::SelfSignedAudience);
        const auto headers = headersOf(*credentials, QUrl());
        QVERIFY(headers && !*headers);
        QVERIFY2(headers->error().message.contains(u"audience"_s), qPrintable(messageOf(headers)));
    }

    void testDescriptionAndProject()
    {
        auto credentials = makeCredentials();
        QCOMPARE(credentials->description(), u"service account ingest@test-project.iam.gserviceaccount.com (key file %1)"_s.arg(m_keyPath));
        QCOMPARE(credentials->projectId(), u"test-project"_s);
    }

    void testDestroyedWhileRefreshingIsSafe()
    {
        m_endpoint.setDelay(200);
        auto credentials = makeCredentials();
        bool called = false;
        credentials->headersFor(QUrl(u"https://pubsub.googleapis.com"_s), [&called](Result<AuthorizationHeaders>) { called = true; });
        QTest::qWait(50);
        credentials.reset();
        QTest::qWait(400);
        QVERIFY(!called);
    }

    void testNetworkManagerDestroyedWhileRefreshing()
    {
        m_endpoint.setDelay(300);
        auto network = std::make_unique<QNetworkAccessManager>();
        Result<ServiceAccountKey> key = ServiceAccountKey::fromFile(CredentialsFile(m_keyJson, m_keyPath));
        QVERIFY(key);
        ServiceAccountCredentials credentials(*key, network.get());
        std::optional<Result<AuthorizationHeaders>> headers;
        credentials.headersFor(QUrl(u"https://pubsub.googleapis.com"_s), [&headers](Result<AuthorizationHeaders> result) { headers = std::move(result); });
        QTest::qWait(50);
        network.reset();
        QVERIFY(QTest::qWaitFor([&] { return headers.has_value(); }, 2000));
        QVERIFY(!*headers);
        QVERIFY2(headers->error().message.contains(u"network access manager"_s), qPrintable(headers->error().message));
        // and it fails cleanly afterwards instead of using a dangling manager
        const auto after = headersOf(credentials);
        QVERIFY(after && !*after);
    }

    // runs last: everything the tests above logged or returned
    void testNoSecretInMessagesOrLogs()
    {
        QVERIFY(!m_errors.isEmpty());
        const QString leak = textWithSecret(m_errors + LogCapture::messages(), m_secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(u"a secret in: "_s + leak));
    }

private:
    std::unique_ptr<ServiceAccountCredentials> makeCredentials(const QJsonObject &json = {})
    {
        const CredentialsFile file(json.isEmpty() ? m_keyJson : json, m_keyPath);
        Result<ServiceAccountKey> key = ServiceAccountKey::fromFile(file);
        if (!key)
            qFatal("%s", qPrintable(key.error().message));
        return std::make_unique<ServiceAccountCredentials>(*key, &m_network);
    }

    void checkHeader(const QJsonObject &header)
    {
        QCOMPARE(header.value(u"alg"_s).toString(), u"RS256"_s);
        QCOMPARE(header.value(u"typ"_s).toString(), u"JWT"_s);
        QCOMPARE(header.value(u"kid"_s).toString(), m_keyJson.value(u"private_key_id"_s).toString());
    }

    // The token endpoint's side of the JWT-bearer exchange (gcp-rest.md 3.2): what Google checks, checked here.
    Server::HttpResponse verifyExchange(const Server::HttpRequest &request)
    {
        const auto fail = [this](const QString &problem) { return m_endpoint.refuse(problem); };
        if (request.method() != "POST")
            return fail(u"method is not POST"_s);
        const Server::HttpRequest::QueryItems form = Server::HttpRequest::parseQuery(request.body());
        QHash<QString, QString> fields;
        for (const auto &[name, value] : form)
            fields.insert(name, value);
        if (fields.value(u"grant_type"_s) != u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s)
            return fail(u"grant_type is "_s + fields.value(u"grant_type"_s));
        const QByteArray assertion = fields.value(u"assertion"_s).toLatin1();
        m_secrets << assertion;
        const VerifiedJwt jwt = verifyJwt(assertion, m_key);
        if (!jwt.problems.isEmpty())
            return fail(jwt.problems.join(u"; "_s));
        if (jwt.header.value(u"alg"_s).toString() != u"RS256"_s)
            return fail(u"alg is not RS256"_s);
        if (jwt.header.value(u"kid"_s).toString() != m_keyJson.value(u"private_key_id"_s).toString())
            return fail(u"kid is not the private_key_id"_s);
        const QJsonObject &claims = jwt.claims;
        if (claims.value(u"iss"_s).toString() != m_keyJson.value(u"client_email"_s).toString())
            return fail(u"iss is not the client_email"_s);
        if (!claims.value(u"scope"_s).toString().split(u' ').contains(CLOUD_PLATFORM_SCOPE))
            return fail(u"scope lacks cloud-platform"_s);
        if (claims.value(u"aud"_s).toString() != m_endpoint.url().toString())
            return fail(u"aud is not the token_uri: "_s + claims.value(u"aud"_s).toString());
        const qint64 iat = claims.value(u"iat"_s).toInteger();
        const qint64 exp = claims.value(u"exp"_s).toInteger();
        if (exp <= iat || exp - iat > 3600)
            return fail(u"exp - iat is %1"_s.arg(exp - iat));
        if (qAbs(iat - QDateTime::currentSecsSinceEpoch()) > 60)
            return fail(u"iat is not now"_s);
        const QByteArray token = "ya29.test-token-" + QByteArray::number(++m_issued);
        m_secrets << token;
        return FakeEndpoint::tokenResponse(token, m_expiresIn);
    }

    std::optional<LogCapture> m_logs;   // from initTestCase: QtTest installs its own handler first
    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    FakeEndpoint m_endpoint;
    TestRsaKey m_key;
    QJsonObject m_keyJson;
    QString m_keyPath;
    QStringList m_errors;
    QList<QByteArray> m_secrets;
    int m_issued = 0;
    int m_expiresIn = 3599;
};

QTEST_GUILESS_MAIN(TestServiceAccountCredentials)
#include "testserviceaccountcredentials.moc"
