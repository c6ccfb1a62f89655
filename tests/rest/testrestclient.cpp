#include <deque>
#include <functional>
#include <optional>

#include <zlib.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <QDir>
#include <QElapsedTimer>
#include <QPointer>
#include <QTcpServer>
#include <QtTest>

#include "core/auth/credentials.h"
#include "core/rest/restcall.h"
#include "core/rest/restclient.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httpresponder.h"
#include "core/server/http/httpresponse.h"
#include "core/server/http/httpserver.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Rest;
using Aq::Server::HttpRequest;
using Aq::Server::HttpResponder;
using Aq::Server::HttpResponse;

namespace
{
    // Hands out "Bearer token-N"; invalidate() moves to the next N. Counts what it was asked.
    class CountingCredentials final : public Auth::Credentials
    {
    public:
        void headersFor(const QUrl &serviceUrl, HeadersCallback callback) override
        {
            ++requests;
            lastServiceUrl = serviceUrl;
            if (failure) {
                callback(*failure);
                return;
            }
            callback(Auth::AuthorizationHeaders {"Bearer token-" + QByteArray::number(generation), "quota-project"});
        }
        void invalidate() override { ++generation; }
        QString description() const override { return u"test credentials"_s; }

        int requests = 0;
        int generation = 1;
        QUrl lastServiceUrl;
        std::optional<ApiError> failure;
    };

    struct SeenRequest
    {
        QByteArray method;
        QString path;
        QByteArray body;
        QByteArray authorization;
        QByteArray userAgent;
        QByteArray contentType;
        QByteArray userProject;
    };

    // An HTTP server that answers with a script: each request takes the next step; a step may hold the
    // request (never answer) to play a long poll or a hung server.
    class ScriptedServer
    {
    public:
        using Step = std::function<void(const HttpRequest &, HttpResponder)>;

        ScriptedServer()
        {
            m_server.setHandler([this](const HttpRequest &request, HttpResponder responder) {
                seen.push_back({request.method(), request.path(), request.body(), request.header("authorization"),
                                request.header("user-agent"), request.header("content-type"), request.header("x-goog-user-project")});
                if (steps.empty()) {
                    responder.send(HttpResponse::json(200, R"({"ok":true})"_ba));
                    return;
                }
                Step step = std::move(steps.front());
                steps.pop_front();
                step(request, responder);
            });
            QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        }

        QUrl url(const QString &path = u"/v1/thing"_s) const
        {
            return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
        }

        static Step reply(int status, const QByteArray &body)
        {
            return [status, body](const HttpRequest &, HttpResponder responder) { responder.send(HttpResponse::json(status, body)); };
        }

        Step hold()
        {
            return [this](const HttpRequest &, HttpResponder responder) { held.push_back(responder); };
        }

        void releaseHeld()
        {
            for (const HttpResponder &responder : held)
                responder.send(HttpResponse::json(200, R"({"released":true})"_ba));
            held.clear();
        }

        std::deque<Step> steps;
        std::vector<SeenRequest> seen;
        std::vector<HttpResponder> held;

    private:
        Aq::Server::HttpServer m_server;
    };

    QByteArray gzip(const QByteArray &data)
    {
        z_stream stream {};
        deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        QByteArray out(int(deflateBound(&stream, uLong(data.size())) + 32), Qt::Uninitialized);
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
        stream.avail_in = uInt(data.size());
        stream.next_out = reinterpret_cast<Bytef *>(out.data());
        stream.avail_out = uInt(out.size());
        deflate(&stream, Z_FINISH);
        out.resize(int(stream.total_out));
        deflateEnd(&stream);
        return out;
    }

    struct Outcome
    {
        bool done = false;
        std::optional<Result<QByteArray>> result;
    };

    RestClientOptions fastRetries()
    {
        RestClientOptions options;
        options.retry.initialBackoff = std::chrono::milliseconds(5);
        options.retry.maximumBackoff = std::chrono::milliseconds(20);
        return options;
    }
}

class TestRestClient final : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<CountingCredentials> m_credentials;
    std::unique_ptr<RestClient> m_client;

    std::shared_ptr<Outcome> call(RestRequest request, QObject *context = nullptr)
    {
        auto outcome = std::make_shared<Outcome>();
        m_client->send(std::move(request), context, [outcome](Result<QByteArray> result) {
            outcome->done = true;
            outcome->result.emplace(std::move(result));
        });
        return outcome;
    }

    Result<QByteArray> callAndWait(RestRequest request)
    {
        auto outcome = call(std::move(request));
        if (!QTest::qWaitFor([&] { return outcome->done; }, 20000))
            return ApiError::internal(u"the test gave up waiting"_s);
        return *outcome->result;
    }

    static RestRequest post(const QUrl &url, Idempotency idempotency = Idempotency::Safe)
    {
        RestRequest request;
        request.method = "POST";
        request.url = url;
        request.body = R"({"x":1})"_ba;
        request.idempotency = idempotency;
        return request;
    }

private slots:
    void init()
    {
        m_credentials = std::make_shared<CountingCredentials>();
        m_client = std::make_unique<RestClient>(plainNetworkAccess(), m_credentials, fastRetries());
    }

    void cleanup()
    {
        m_client.reset();
    }

    void successCarriesHeadersAndBody()
    {
        ScriptedServer server;
        server.steps.push_back(ScriptedServer::reply(200, R"({"name":"t"})"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url(u"/v1/projects/p/topics/t"_s)));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(*result, R"({"name":"t"})"_ba);
        QCOMPARE(server.seen.size(), size_t(1));
        const SeenRequest &seen = server.seen.front();
        QCOMPARE(seen.method, "POST"_ba);
        QCOMPARE(seen.path, u"/v1/projects/p/topics/t"_s);
        QCOMPARE(seen.body, R"({"x":1})"_ba);
        QCOMPARE(seen.authorization, "Bearer token-1"_ba);
        QCOMPARE(seen.userProject, "quota-project"_ba);
        QCOMPARE(seen.contentType, "application/json"_ba);
        QVERIFY2(seen.userAgent.startsWith("aqueduct/"), seen.userAgent.constData());
        // Credentials are asked for the service (scheme, host, port), never the path.
        QCOMPARE(m_credentials->lastServiceUrl, server.url(QString()));
    }

    void bothEndsSendWithoutNagleDelay()
    {
        // QNetworkAccessManager leaves Nagle on and our server's responses are two writes: with it on, a request
        // body's last piece or a response body waited for a delayed ACK (25 ms a publish on loopback)
        ScriptedServer server;
        server.steps.push_back(server.hold());
        auto outcome = call(post(server.url()));
        QVERIFY(QTest::qWaitFor([&] { return server.held.size() == 1; }, 10000));
        const quint16 port = quint16(server.url().port());
        int clientEnds = 0;
        int serverEnds = 0;
        for (const QFileInfo &entry : QDir(u"/proc/self/fd"_s).entryInfoList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
            const int fd = entry.fileName().toInt();
            sockaddr_in local {};
            sockaddr_in peer {};
            socklen_t localSize = sizeof local;
            socklen_t peerSize = sizeof peer;
            if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &localSize) != 0 || local.sin_family != AF_INET
                || getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerSize) != 0)
                continue;
            const bool clientEnd = ntohs(peer.sin_port) == port;
            const bool serverEnd = ntohs(local.sin_port) == port;
            if (!clientEnd && !serverEnd)
                continue;
            int noDelay = 0;
            socklen_t size = sizeof noDelay;
            QCOMPARE(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, &size), 0);
            QVERIFY2(noDelay != 0, clientEnd ? "the client's connection has Nagle on" : "the server's connection has Nagle on");
            clientEnd ? ++clientEnds : ++serverEnds;
        }
        QCOMPARE(clientEnds, 1);
        QCOMPARE(serverEnds, 1);
        server.releaseHeld();
        QVERIFY(QTest::qWaitFor([&] { return outcome->done; }, 10000));
    }

    void getHasNoBodyAndNoContentType()
    {
        ScriptedServer server;
        RestRequest request;
        request.url = server.url();
        QVERIFY(callAndWait(request));
        QCOMPARE(server.seen.front().method, "GET"_ba);
        QVERIFY(server.seen.front().body.isEmpty());
        QVERIFY(server.seen.front().contentType.isEmpty());
    }

    void transientFailuresOfSafeCallsAreRetried_data()
    {
        QTest::addColumn<int>("status");
        for (int status : {429, 500, 502, 503, 504})
            QTest::addRow("%d", status) << status;
    }

    void transientFailuresOfSafeCallsAreRetried()
    {
        QFETCH(int, status);
        ScriptedServer server;
        server.steps.push_back(ScriptedServer::reply(status, R"({"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}})"_ba));
        server.steps.push_back(ScriptedServer::reply(status, "not json at all"_ba));
        server.steps.push_back(ScriptedServer::reply(200, R"({"done":true})"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(*result, R"({"done":true})"_ba);
        QCOMPARE(server.seen.size(), size_t(3));
    }

    void unsafeCallsAreNotRetried()
    {
        ScriptedServer server;
        server.steps.push_back(ScriptedServer::reply(503, R"({"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}})"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url(), Idempotency::Unsafe));
        QVERIFY(!result);
        QCOMPARE(result.error().httpStatus, 503);
        QCOMPARE(result.error().status, u"UNAVAILABLE"_s);
        QVERIFY(result.error().retryable);
        QCOMPARE(server.seen.size(), size_t(1));
    }

    void permanentErrorsAreDecodedAndNotRetried()
    {
        ScriptedServer server;
        server.steps.push_back(ScriptedServer::reply(404,
            R"({"error":{"code":404,"message":"Resource not found (resource=t1).","status":"NOT_FOUND","errors":[{"reason":"notFound"}]}})"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY(!result);
        QCOMPARE(result.error().httpStatus, 404);
        QCOMPARE(result.error().status, u"NOT_FOUND"_s);
        QCOMPARE(result.error().reason, u"notFound"_s);
        QCOMPARE(result.error().message, u"Resource not found (resource=t1)."_s);
        QVERIFY(!result.error().retryable);
        QCOMPARE(server.seen.size(), size_t(1));
    }

    void errorWithoutEnvelopeNamesStatusAndEndpoint()
    {
        ScriptedServer server;
        server.steps.push_back([](const HttpRequest &, HttpResponder responder) {
            responder.send(HttpResponse(400, "text/plain", "bad things happened"));
        });
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY(!result);
        QCOMPARE(result.error().status, u"INVALID_ARGUMENT"_s);
        QVERIFY2(result.error().message.contains(u"HTTP 400"_s), qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(u"bad things happened"_s), qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(server.url(QString()).toString()), qPrintable(result.error().message));
    }

    void retriesStopAtTheAttemptLimit()
    {
        ScriptedServer server;
        for (int i = 0; i < 10; ++i)
            server.steps.push_back(ScriptedServer::reply(500, "{}"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY(!result);
        QCOMPARE(result.error().httpStatus, 500);
        QCOMPARE(server.seen.size(), size_t(m_client->options().retry.maxAttempts));
    }

    void refusedConnectionIsUnavailableAndRetried()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();   // nothing listens there now
        RestRequest request;
        request.url = QUrl(u"http://127.0.0.1:%1/v1/x"_s.arg(port));
        auto outcome = call(request);
        QVERIFY(QTest::qWaitFor([&] { return outcome->done; }, 20000));
        QVERIFY(!*outcome->result);
        const ApiError &error = outcome->result->error();
        QCOMPARE(error.status, u"UNAVAILABLE"_s);
        QVERIFY(error.retryable);
        QVERIFY2(error.message.contains(u"127.0.0.1:%1"_s.arg(port)), qPrintable(error.message));
        QCOMPARE(m_credentials->requests, m_client->options().retry.maxAttempts);
    }

    void deadlineCoversAHungServer()
    {
        ScriptedServer server;
        for (int i = 0; i < 10; ++i)
            server.steps.push_back(server.hold());
        RestRequest request = post(server.url());
        request.deadline = std::chrono::milliseconds(400);
        QElapsedTimer clock;
        clock.start();
        const Result<QByteArray> result = callAndWait(request);
        QVERIFY(!result);
        QCOMPARE(result.error().status, u"DEADLINE_EXCEEDED"_s);
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        server.releaseHeld();
    }

    void unauthorizedGetsOneFreshToken()
    {
        ScriptedServer server;
        server.steps.push_back(ScriptedServer::reply(401, R"({"error":{"code":401,"message":"expired","status":"UNAUTHENTICATED"}})"_ba));
        server.steps.push_back(ScriptedServer::reply(200, "{}"_ba));
        QVERIFY(callAndWait(post(server.url(), Idempotency::Unsafe)));
        QCOMPARE(server.seen.size(), size_t(2));
        QCOMPARE(server.seen[0].authorization, "Bearer token-1"_ba);
        QCOMPARE(server.seen[1].authorization, "Bearer token-2"_ba);

        // A second 401 in the same call is the answer.
        server.steps.push_back(ScriptedServer::reply(401, R"({"error":{"code":401,"message":"no","status":"UNAUTHENTICATED"}})"_ba));
        server.steps.push_back(ScriptedServer::reply(401, R"({"error":{"code":401,"message":"still no","status":"UNAUTHENTICATED"}})"_ba));
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY(!result);
        QCOMPARE(result.error().httpStatus, 401);
        QCOMPARE(result.error().message, u"still no"_s);
    }

    void credentialFailureIsTheAnswer()
    {
        ScriptedServer server;
        m_credentials->failure = ApiError::unauthenticated(u"key file /x.json: invalid_grant"_s);
        const Result<QByteArray> result = callAndWait(post(server.url()));
        QVERIFY(!result);
        QCOMPARE(result.error().message, u"key file /x.json: invalid_grant"_s);
        QVERIFY(server.seen.empty());
    }

    void gzipRepliesAreDecoded()
    {
        ScriptedServer server;
        const QByteArray body = "{\"rows\":\"" + QByteArray(20000, 'a') + "\"}";
        server.steps.push_back([body](const HttpRequest &request, HttpResponder responder) {
            QVERIFY(request.header("accept-encoding").contains("gzip"));
            HttpResponse response(200, "application/json", gzip(body));
            response.setHeader("Content-Encoding", "gzip");
            responder.send(response);
        });
        RestRequest request;
        request.url = server.url();
        const Result<QByteArray> result = callAndWait(request);
        QVERIFY(result);
        QCOMPARE(*result, body);
    }

    void longPollsDoNotStarveOtherCalls()
    {
        // Eight pulls held open by the server, more than the 6 connections Qt 6.4 gives one manager per host.
        ScriptedServer server;
        for (int i = 0; i < 8; ++i)
            server.steps.push_back(server.hold());
        std::vector<std::shared_ptr<Outcome>> pulls;
        for (int i = 0; i < 8; ++i) {
            RestRequest pull = post(server.url(u"/v1/projects/p/subscriptions/s:pull"_s));
            pull.channel = Channel::LongPoll;
            pulls.push_back(call(pull));
        }
        QVERIFY(QTest::qWaitFor([&] { return server.held.size() == 8; }, 10000));

        // Acks flow while all of them wait.
        std::vector<std::shared_ptr<Outcome>> acks;
        for (int i = 0; i < 20; ++i)
            acks.push_back(call(post(server.url(u"/v1/projects/p/subscriptions/s:acknowledge"_s))));
        QVERIFY(QTest::qWaitFor([&] { return std::all_of(acks.begin(), acks.end(), [](const auto &a) { return a->done; }); }, 10000));
        for (const auto &ack : acks)
            QVERIFY(*ack->result);
        QVERIFY(std::none_of(pulls.begin(), pulls.end(), [](const auto &p) { return p->done; }));

        server.releaseHeld();
        QVERIFY(QTest::qWaitFor([&] { return std::all_of(pulls.begin(), pulls.end(), [](const auto &p) { return p->done; }); }, 10000));
    }

    void callsOnTheDefaultChannelQueueBehindSixHeldOnes()
    {
        // The control for the test above: the limit is real, so long polls need their own channel.
        ScriptedServer server;
        for (int i = 0; i < 6; ++i)
            server.steps.push_back(server.hold());
        std::vector<std::shared_ptr<Outcome>> held;
        for (int i = 0; i < 6; ++i)
            held.push_back(call(post(server.url())));
        QVERIFY(QTest::qWaitFor([&] { return server.held.size() == 6; }, 10000));
        auto queued = call(post(server.url()));
        QTest::qWait(500);
        QVERIFY(!queued->done);
        QCOMPARE(server.seen.size(), size_t(6));
        server.releaseHeld();
        QVERIFY(QTest::qWaitFor([&] { return queued->done; }, 10000));
    }

    void aGoneContextIsNotCalledBack()
    {
        ScriptedServer server;
        server.steps.push_back(server.hold());
        auto context = std::make_unique<QObject>();
        auto outcome = call(post(server.url()), context.get());
        QVERIFY(QTest::qWaitFor([&] { return server.held.size() == 1; }, 10000));
        context.reset();
        server.releaseHeld();
        QTest::qWait(300);
        QVERIFY(!outcome->done);
    }

    void abortAnswersCancelled()
    {
        ScriptedServer server;
        server.steps.push_back(server.hold());
        auto outcome = std::make_shared<Outcome>();
        QPointer<RestCall> handle = m_client->send(post(server.url()), nullptr, [outcome](Result<QByteArray> result) {
            outcome->done = true;
            outcome->result.emplace(std::move(result));
        });
        QVERIFY(QTest::qWaitFor([&] { return server.held.size() == 1; }, 10000));
        QVERIFY(handle);
        handle->abort();
        QVERIFY(outcome->done);
        QCOMPARE(outcome->result->error().status, u"CANCELLED"_s);
        server.releaseHeld();
    }
};

QTEST_GUILESS_MAIN(TestRestClient)
#include "testrestclient.moc"
