#include <optional>

#include <QTemporaryDir>
#include <QtTest>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/pubsub/pubsubclient.h"
#include "tests/auth/authtestsupport.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Config;
using Aq::Auth::Test::FakeEndpoint;

namespace
{
    Result<std::unique_ptr<Connection>> openConnection(const Profile &profile, LocalBackendAccess *local = nullptr)
    {
        std::optional<Result<std::unique_ptr<Connection>>> outcome;
        Connection::open(profile, local, nullptr, [&](Result<std::unique_ptr<Connection>> c) { outcome.emplace(std::move(c)); });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 20000))
            return ApiError::internal(u"no answer"_s);
        if (!*outcome)
            return outcome->error();
        return std::move(outcome->value());
    }

    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }

    Result<Profile> profileOf(QHash<QString, QString> options, QHash<QString, QString> environment = {})
    {
        return resolveProfile(ProfileInputs {std::move(options), std::move(environment)});
    }

    // A Pub/Sub and BigQuery stand-in that only records who asked.
    void answerLists(FakeEndpoint &service)
    {
        service.setHandler([](const Server::HttpRequest &request) {
            if (request.path().startsWith(u"/bigquery/v2/"_s))
                return Server::HttpResponse::json(200, R"({"datasets":[{"datasetReference":{"datasetId":"seen"}}]})");
            return Server::HttpResponse::json(200, R"({"topics":[{"name":"projects/key-project/topics/seen"}]})");
        });
    }
}

class TestConnection final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void googleCloudSendsTheExchangedTokenToOverriddenEndpoints()
    {
        // The OAuth2 path end to end: a service-account key whose token_uri is a local token endpoint, and both
        // services pointed at a local stand-in with --*-endpoint, which must not turn authentication off.
        const Auth::Test::TestRsaKey key = Auth::Test::TestRsaKey::generate();
        FakeEndpoint tokens;
        tokens.setHandler([&](const Server::HttpRequest &request) {
            const QByteArray assertion = QUrlQuery(QString::fromUtf8(request.body())).queryItemValue(u"assertion"_s).toUtf8();
            const Auth::Test::VerifiedJwt jwt = Auth::Test::verifyJwt(assertion, key);
            if (!jwt.problems.isEmpty())
                return tokens.refuse(jwt.problems.join(u"; "_s));
            return FakeEndpoint::tokenResponse("ya29.exchanged-token");
        });
        FakeEndpoint service;
        answerLists(service);
        QJsonObject keyJson = Auth::Test::serviceAccountJson(key, tokens.url());
        keyJson.insert(u"project_id"_s, u"key-project"_s);
        const QString keyFile = Auth::Test::writeJson(m_dir.filePath(u"key.json"_s), keyJson);

        const Result<Profile> profile = profileOf({{u"backend"_s, u"gcp"_s}, {u"credentials-file"_s, keyFile},
                                                   {u"pubsub-endpoint"_s, service.url(QString()).toString()},
                                                   {u"bigquery-endpoint"_s, service.url(QString()).toString()}});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        Result<std::unique_ptr<Connection>> connection = openConnection(*profile);
        QVERIFY2(connection, qPrintable(whyNot(connection)));
        QCOMPARE((*connection)->project(), u"key-project"_s);   // the key file's project, as ADC finds it

        std::optional<Result<QStringList>> datasets;
        (*connection)->bigquery()->listDatasets(this, [&](Result<QStringList> r) { datasets.emplace(std::move(r)); });
        std::optional<Result<QStringList>> topics;
        (*connection)->pubsub()->listTopics(this, [&](Result<QStringList> r) { topics.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return datasets.has_value() && topics.has_value(); }, 20000));
        QVERIFY2(*datasets, qPrintable(whyNot(*datasets)));
        QCOMPARE(**datasets, QStringList {u"seen"_s});
        QVERIFY2(*topics, qPrintable(whyNot(*topics)));
        QVERIFY2(tokens.problems().isEmpty(), qPrintable(tokens.problems().join(u"; "_s)));
        QCOMPARE(tokens.hits(), 1);   // one token, shared by both services
        QCOMPARE(service.hits(), 2);
        for (const Server::HttpRequest &request : service.requests())
            QCOMPARE(request.header("authorization"), "Bearer ya29.exchanged-token"_ba);
        QVERIFY((*connection)->describe().contains(keyFile));
    }

    void aBadKeyFileIsNamedInTheError()
    {
        const QString broken = m_dir.filePath(u"broken.json"_s);
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"type\":\"service_account\",");
        file.close();
        const Result<Profile> profile = profileOf({{u"backend"_s, u"gcp"_s}, {u"credentials-file"_s, broken}, {u"project"_s, u"p"_s}});
        QVERIFY(profile);
        const Result<std::unique_ptr<Connection>> connection = openConnection(*profile);
        QVERIFY(!connection);
        QVERIFY2(connection.error().message.contains(broken), qPrintable(connection.error().message));
    }

    void emulatorsGetTheApiKeyAsBearerToken()
    {
        FakeEndpoint service;
        answerLists(service);
        const Result<Profile> profile = profileOf({{u"backend"_s, u"emulator"_s}, {u"api-key"_s, u"admin-key-1"_s}},
                                                  {{u"PUBSUB_EMULATOR_HOST"_s, service.hostAndPort()},
                                                   {u"BIGQUERY_EMULATOR_HOST"_s, u"http://"_s + service.hostAndPort()}});
        QVERIFY2(profile, qPrintable(whyNot(profile)));
        Result<std::unique_ptr<Connection>> connection = openConnection(*profile);
        QVERIFY2(connection, qPrintable(whyNot(connection)));
        std::optional<Result<QStringList>> topics;
        (*connection)->pubsub()->listTopics(this, [&](Result<QStringList> r) { topics.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return topics.has_value(); }, 20000));
        QVERIFY(*topics);
        QCOMPARE(service.requests().first().header("authorization"), "Bearer admin-key-1"_ba);

        // Without a key, nothing is sent.
        const Result<Profile> open = profileOf({{u"backend"_s, u"emulator"_s}}, {{u"PUBSUB_EMULATOR_HOST"_s, service.hostAndPort()},
                                                                                 {u"BIGQUERY_EMULATOR_HOST"_s, service.hostAndPort()}});
        Result<std::unique_ptr<Connection>> plain = openConnection(*open);
        QVERIFY(plain);
        service.reset();
        topics.reset();
        (*plain)->pubsub()->listTopics(this, [&](Result<QStringList> r) { topics.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return topics.has_value(); }, 20000));
        QVERIFY(!service.requests().first().hasHeader("authorization"));
    }

    void theLocalBackendRunsInProcessWhenNoOneOwnsTheFolder()
    {
        const Result<Profile> profile = profileOf({{u"data-dir"_s, m_dir.filePath(u"data"_s)}});
        QVERIFY(profile);
        LocalCloud::LocalBackend local;
        Result<std::unique_ptr<Connection>> connection = openConnection(*profile, &local);
        QVERIFY2(connection, qPrintable(whyNot(connection)));
        QVERIFY2((*connection)->describe().contains(u"in this process"_s), qPrintable((*connection)->describe()));
        std::optional<Result<QString>> created;
        (*connection)->pubsub()->createTopic(u"events"_s, this, [&](Result<QString> r) { created.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return created.has_value(); }, 20000));
        QVERIFY2(*created, qPrintable(whyNot(*created)));
        QCOMPARE(**created, u"projects/aqueduct-local/topics/events"_s);
    }
};

QTEST_GUILESS_MAIN(TestConnection)
#include "testconnection.moc"
