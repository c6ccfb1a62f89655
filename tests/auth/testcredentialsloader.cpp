#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "authtestsupport.h"
#include "core/auth/credentialsloader.h"
#include "core/auth/metadataservercredentials.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Auth;
using namespace Aq::Auth::Test;

class TestCredentialsLoader final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_logs.emplace();
        m_key = TestRsaKey::generate();
        m_serviceAccount = serviceAccountJson(m_key, QUrl(u"https://oauth2.googleapis.com/token"_s));
        m_serviceAccountPath = writeJson(m_dir.filePath(u"sa.json"_s), m_serviceAccount);
        m_userJson = QJsonObject {
            {u"type"_s, u"authorized_user"_s},
            {u"client_id"_s, u"id.apps.googleusercontent.com"_s},
            {u"client_secret"_s, u"user-secret-value"_s},
            {u"refresh_token"_s, u"1//refresh-token-value"_s},
        };
        m_secrets << m_key.privatePem().split('\n').value(3) << "user-secret-value" << "1//refresh-token-value";
        m_metadata.setHandler([](const Server::HttpRequest &request) {
            Server::HttpResponse response(200, "application/text", "metadata-project");
            if (request.header("Metadata-Flavor") != "Google")
                response = Server::HttpResponse(403, "text/plain", "no flavor");
            response.setHeader("Metadata-Flavor", "Google");
            return response;
        });
    }

    void cleanupTestCase()
    {
        // before QtTest removes the handler this one forwards to
        m_logs.reset();
    }

    void init()
    {
        m_metadata.reset();
    }

    void testServiceAccountFile()
    {
        CredentialsResult credentials = loadCredentialsFile(m_serviceAccountPath, &m_network, isolatedOptions());
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QVERIFY(qobject_cast<ServiceAccountCredentials *>(credentials->get()));
        QCOMPARE((*credentials)->description(), u"service account ingest@test-project.iam.gserviceaccount.com (key file %1)"_s.arg(m_serviceAccountPath));
        QCOMPARE((*credentials)->projectId(), u"test-project"_s);
    }

    void testSelfSignedOption()
    {
        CredentialsOptions options = isolatedOptions();
        options.serviceAccountTokenMode = ServiceAccountTokenMode::SelfSignedAudience;
        CredentialsResult credentials = loadCredentialsFile(m_serviceAccountPath, &m_network, options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        const QByteArray authorization = authorizationOf(**credentials, QUrl(u"https://bigquery.googleapis.com"_s));
        QVERIFY2(authorization.startsWith("Bearer "), authorization.constData());
        const VerifiedJwt jwt = verifyJwt(authorization.mid(7), m_key);
        QVERIFY2(jwt.problems.isEmpty(), qPrintable(jwt.problems.join(u"; "_s)));
        QCOMPARE(jwt.claims.value(u"aud"_s).toString(), u"https://bigquery.googleapis.com/"_s);
    }

    void testAuthorizedUserFile()
    {
        const QString path = writeJson(m_dir.filePath(u"user.json"_s), m_userJson);
        CredentialsResult credentials = loadCredentialsFile(path, &m_network, isolatedOptions());
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QCOMPARE((*credentials)->description(), u"gcloud user credentials (%1)"_s.arg(path));
    }

    void testBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        const auto withServiceAccount = [this](const std::function<void(QJsonObject &)> &change) {
            QJsonObject json = m_serviceAccount;
            change(json);
            return QJsonDocument(json).toJson();
        };
        QTest::newRow("not JSON") << "{\"type\": \"service_account\", "_ba << u"is not valid JSON"_s;
        QTest::newRow("empty") << QByteArray() << u"is not valid JSON"_s;
        QTest::newRow("array") << "[1, 2]"_ba << u"is not a JSON object"_s;
        QTest::newRow("no type") << "{\"client_email\": \"a@b\"}"_ba << u"has no \"type\" field"_s;
        QTest::newRow("unknown type") << "{\"type\": \"external_account\"}"_ba << u"\"external_account\" is not supported"_s;
        for (const char *field : {"client_email", "private_key", "token_uri"}) {
            QTest::addRow("missing %s", field) << withServiceAccount([field](QJsonObject &json) { json.remove(QLatin1StringView(field)); })
                                              << u"no \"%1\" field"_s.arg(QLatin1StringView(field));
        }
        QTest::newRow("empty client_email") << withServiceAccount([](QJsonObject &json) { json[u"client_email"_s] = u""_s; })
                                            << u"\"client_email\" field of the service account key is empty"_s;
        QTest::newRow("numeric private_key") << withServiceAccount([](QJsonObject &json) { json[u"private_key"_s] = 42; })
                                             << u"\"private_key\" field of the service account key is not a string"_s;
        QTest::newRow("garbage private_key") << withServiceAccount([](QJsonObject &json) {
            json[u"private_key"_s] = u"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"_s;
        }) << u"private_key is not a valid PEM RSA private key"_s;
        QTest::newRow("truncated private_key") << withServiceAccount([this](QJsonObject &json) {
            json[u"private_key"_s] = QString::fromLatin1(m_key.privatePem().left(900));
        }) << u"private_key is not a valid PEM RSA private key"_s;
        QTest::newRow("EC private_key") << withServiceAccount([](QJsonObject &json) { json[u"private_key"_s] = QString::fromLatin1(pemOfEcKey()); })
                                        << u"private_key is not a valid PEM RSA private key"_s;
        QTest::newRow("http token_uri") << withServiceAccount([](QJsonObject &json) { json[u"token_uri"_s] = u"http://oauth2.example.com/token"_s; })
                                        << u"is not an https URL"_s;
        QJsonObject user = m_userJson;
        user.remove(u"refresh_token"_s);
        QTest::newRow("user without refresh_token") << QJsonDocument(user).toJson() << u"gcloud user credentials file has no \"refresh_token\" field"_s;
    }

    void testBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(u"bad-%1.json"_s.arg(++m_fileCount));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        CredentialsResult credentials = loadCredentialsFile(path, &m_network, isolatedOptions());
        QVERIFY(!credentials);
        const QString message = credentials.error().message;
        QVERIFY2(message.startsWith(u"Credentials file %1: "_s.arg(path)), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
        QCOMPARE(credentials.error().status, u"INVALID_ARGUMENT"_s);
        m_errors << message;
    }

    void testMissingFile()
    {
        const QString path = m_dir.filePath(u"nowhere/key.json"_s);
        CredentialsResult credentials = loadCredentialsFile(path, &m_network, isolatedOptions());
        QVERIFY(!credentials);
        QCOMPARE(credentials.error().status, u"NOT_FOUND"_s);
        QCOMPARE(credentials.error().message, u"Credentials file %1 does not exist."_s.arg(path));
    }

    void testFolderAndUnreadableFile()
    {
        CredentialsResult folder = loadCredentialsFile(m_dir.path(), &m_network, isolatedOptions());
        QVERIFY(!folder);
        QVERIFY2(folder.error().message.contains(u"it is a folder"_s), qPrintable(folder.error().message));

        const QString path = writeJson(m_dir.filePath(u"unreadable.json"_s), m_userJson);
        QFile::setPermissions(path, QFileDevice::WriteOwner);
        if (QFileInfo(path).isReadable())
            QSKIP("running as root: permissions do not stop reading");
        CredentialsResult unreadable = loadCredentialsFile(path, &m_network, isolatedOptions());
        QVERIFY(!unreadable);
        QVERIFY2(unreadable.error().message.contains(u"cannot be read"_s), qPrintable(unreadable.error().message));
    }

    void testAdcEnvironmentVariableWinsOverWellKnownFile()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = homeWithWellKnownFile();
        options.environment.applicationCredentials = m_serviceAccountPath;
        options.environment.metadataHost = m_metadata.hostAndPort();
        CredentialsResult credentials = adc(options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QVERIFY2((*credentials)->description().startsWith(u"service account "_s), qPrintable((*credentials)->description()));
        QCOMPARE(m_metadata.hits(), 0);
    }

    void testAdcBrokenEnvironmentFileIsAnError()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = homeWithWellKnownFile();
        options.environment.applicationCredentials = m_dir.filePath(u"missing.json"_s);
        CredentialsResult credentials = adc(options);
        QVERIFY(!credentials);
        QVERIFY2(credentials.error().message.startsWith(u"GOOGLE_APPLICATION_CREDENTIALS: Credentials file %1 does not exist"_s.arg(options.environment.applicationCredentials)),
                 qPrintable(credentials.error().message));
    }

    void testAdcWellKnownFileWinsOverMetadata()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = homeWithWellKnownFile();
        options.environment.metadataHost = m_metadata.hostAndPort();
        CredentialsResult credentials = adc(options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QCOMPARE((*credentials)->description(),
                 u"gcloud user credentials (%1)"_s.arg(QDir(options.environment.home).filePath(u".config/gcloud/application_default_credentials.json"_s)));
        QCOMPARE(m_metadata.hits(), 0);
    }

    void testAdcCloudSdkConfigFolder()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = m_dir.filePath(u"empty-home"_s);
        options.environment.cloudSdkConfig = m_dir.filePath(u"sdk-config"_s);
        const QString path = writeJson(QDir(options.environment.cloudSdkConfig).filePath(u"application_default_credentials.json"_s), m_userJson);
        CredentialsResult credentials = adc(options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QCOMPARE((*credentials)->description(), u"gcloud user credentials (%1)"_s.arg(path));
    }

    void testAdcMetadataServer()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = m_dir.filePath(u"empty-home"_s);
        options.environment.metadataHost = m_metadata.hostAndPort();
        CredentialsResult credentials = adc(options);
        QVERIFY2(credentials, qPrintable(messageOf(credentials)));
        QVERIFY(qobject_cast<MetadataServerCredentials *>(credentials->get()));
        QCOMPARE((*credentials)->projectId(), u"metadata-project"_s);
        QVERIFY((*credentials)->parent() == nullptr);
        QCOMPARE(m_metadata.hits(), 1);
    }

    void testAdcNothingFound()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = m_dir.filePath(u"empty-home"_s);
        options.environment.metadataHost = u"127.0.0.1:%1"_s.arg(closedPort());
        CredentialsResult credentials = adc(options);
        QVERIFY(!credentials);
        const QString message = credentials.error().message;
        for (const QString &part : {u"GOOGLE_APPLICATION_CREDENTIALS (not set)"_s,
                                    QDir(options.environment.home).filePath(u".config/gcloud/application_default_credentials.json"_s),
                                    u"metadata server"_s, u"Set GOOGLE_APPLICATION_CREDENTIALS"_s, u"gcloud auth application-default login"_s})
            QVERIFY2(message.contains(part), qPrintable(message));
        QCOMPARE(credentials.error().status, u"FAILED_PRECONDITION"_s);
    }

    void testAdcProbeGivesUpQuickly()
    {
        QTcpServer silent;   // accepts connections and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        CredentialsOptions options = isolatedOptions();
        options.environment.home = m_dir.filePath(u"empty-home"_s);
        options.environment.metadataHost = u"127.0.0.1:%1"_s.arg(silent.serverPort());
        options.metadataProbeTimeoutMs = 300;
        QElapsedTimer timer;
        timer.start();
        CredentialsResult credentials = adc(options);
        QVERIFY(!credentials);
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(credentials.error().message.contains(u"no answer within 300 ms"_s), qPrintable(credentials.error().message));
    }

    void testAdcCallbackDroppedWithContext()
    {
        CredentialsOptions options = isolatedOptions();
        options.environment.home = m_dir.filePath(u"empty-home"_s);
        options.environment.metadataHost = m_metadata.hostAndPort();
        m_metadata.setDelay(100);
        bool called = false;
        auto context = std::make_unique<QObject>();
        applicationDefaultCredentials(&m_network, options, context.get(), [&called](CredentialsResult) { called = true; });
        context.reset();
        QTest::qWait(400);
        QVERIFY(!called);
    }

    void testProcessEnvironment()
    {
        qputenv("GOOGLE_APPLICATION_CREDENTIALS", "/tmp/key.json");
        qputenv("GCE_METADATA_HOST", "127.0.0.1:1");
        const CredentialsEnvironment environment = CredentialsEnvironment::fromProcess();
        QCOMPARE(environment.applicationCredentials, u"/tmp/key.json"_s);
        QCOMPARE(environment.metadataHost, u"127.0.0.1:1"_s);
        qunsetenv("GOOGLE_APPLICATION_CREDENTIALS");
        qunsetenv("GCE_METADATA_HOST");
    }

    void testNoSecretInMessagesOrLogs()
    {
        QVERIFY(!m_errors.isEmpty());
        const QString leak = textWithSecret(m_errors + LogCapture::messages(), m_secrets);
        QVERIFY2(leak.isEmpty(), qPrintable(u"a secret in: "_s + leak));
    }

private:
    // Nothing from this process's environment: a developer's own gcloud login must not leak into the tests.
    static CredentialsOptions isolatedOptions()
    {
        CredentialsOptions options;
        options.environment = {};
        return options;
    }

    QString homeWithWellKnownFile()
    {
        const QString home = m_dir.filePath(u"home"_s);
        writeJson(QDir(home).filePath(u".config/gcloud/application_default_credentials.json"_s), m_userJson);
        return home;
    }

    CredentialsResult adc(const CredentialsOptions &options)
    {
        std::optional<CredentialsResult> result;
        applicationDefaultCredentials(&m_network, options, this, [&result](CredentialsResult credentials) { result.emplace(std::move(credentials)); });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
            return ApiError::internal(u"no answer from applicationDefaultCredentials"_s);
        return std::move(*result);
    }

    std::optional<LogCapture> m_logs;
    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    FakeEndpoint m_metadata;
    TestRsaKey m_key;
    QJsonObject m_serviceAccount;
    QString m_serviceAccountPath;
    QJsonObject m_userJson;
    QStringList m_errors;
    QList<QByteArray> m_secrets;
    int m_fileCount = 0;
};

QTEST_GUILESS_MAIN(TestCredentialsLoader)
#include "testcredentialsloader.moc"
