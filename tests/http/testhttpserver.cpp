#include <atomic>
#include <memory>
#include <optional>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include "core/common/apierror.h"
#include "core/server/http/httprequest.h"
#include "core/server/http/httprequestparser.h"
#include "core/server/http/httpresponder.h"
#include "core/server/http/httpresponse.h"
#include "core/server/http/httpserver.h"
#include "core/server/http/openfilelimit.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Server;

namespace
{
    // Runs the event loop until predicate() holds. Unlike QTest::qWaitFor it does not sleep between turns, which
    // matters when 50 MB go through the loop. The timer only makes sure the loop wakes up to re-check.
    template <typename Predicate>
    bool waitFor(Predicate predicate, int timeoutMs = 10000)
    {
        QElapsedTimer timer;
        timer.start();
        QTimer tick;
        tick.start(5);
        while (!predicate()) {
            if (timer.elapsed() > timeoutMs)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        }
        return true;
    }

    void spin(int ms)
    {
        QElapsedTimer timer;
        timer.start();
        waitFor([&] { return timer.elapsed() >= ms; }, ms + 1000);
    }

    struct RawResponse
    {
        int status = 0;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;

        QByteArray header(QByteArrayView name) const
        {
            for (const auto &h : headers) {
                if (h.first.size() == name.size() && QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
                    return h.second;
            }
            return {};
        }
        bool hasHeader(QByteArrayView name) const
        {
            for (const auto &h : headers) {
                if (h.first.size() == name.size() && QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
                    return true;
            }
            return false;
        }
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
        QJsonObject error() const { return json().value(u"error"_s).toObject(); }
    };

    // Parses one response from the front of buffer. Returns the bytes it used, -1 if incomplete, -2 if malformed.
    qsizetype parseResponse(const QByteArray &buffer, bool headRequest, bool atEof, RawResponse &out)
    {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return -1;
        out = RawResponse();
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> statusParts = lines.first().trimmed().split(' ');
        if (statusParts.size() < 2 || !statusParts.first().startsWith("HTTP/1."))
            return -2;
        out.status = statusParts.at(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return -2;
            out.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        qsizetype pos = headEnd + 4;
        if (headRequest || out.status < 200 || out.status == 204 || out.status == 304)
            return pos;
        if (out.header("Transfer-Encoding").toLower() == "chunked") {
            for (;;) {
                const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return -1;
                bool ok = false;
                const qsizetype size = buffer.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (!ok)
                    return -2;
                pos = lineEnd + 2;
                if (size == 0) {
                    if (buffer.size() < pos + 2)
                        return -1;
                    return (buffer.mid(pos, 2) == "\r\n") ? pos + 2 : -2;
                }
                if (buffer.size() < pos + size + 2)
                    return -1;
                out.body.append(buffer.mid(pos, size));
                pos += size + 2;
            }
        }
        if (out.hasHeader("Content-Length")) {
            const qsizetype length = out.header("Content-Length").toLongLong();
            if (buffer.size() < pos + length)
                return -1;
            out.body = buffer.mid(pos, length);
            return pos + length;
        }
        if (!atEof)
            return -1;   // close-delimited
        out.body = buffer.mid(pos);
        return buffer.size();
    }

    // A client that sends exactly the bytes it is told to.
    class RawClient
    {
    public:
        explicit RawClient(QTcpSocket *socket = new QTcpSocket)
            : m_socket {socket}
        {
        }

        bool connectTo(quint16 port)
        {
            m_socket->connectToHost(QHostAddress::LocalHost, port);
            return waitFor([&] { return m_socket->state() == QAbstractSocket::ConnectedState; }, 5000);
        }

        void send(const QByteArray &bytes)
        {
            m_socket->write(bytes);
            m_socket->flush();
        }

        std::optional<RawResponse> read(bool headRequest = false, int timeoutMs = 10000)
        {
            RawResponse response;
            qsizetype used = -1;
            waitFor([&] {
                pump();
                used = parseResponse(m_buffer, headRequest, isClosed(), response);
                return used != -1 || isClosed();
            }, timeoutMs);
            if (used == -1) {
                pump();
                used = parseResponse(m_buffer, headRequest, isClosed(), response);
            }
            if (used < 0)
                return std::nullopt;
            m_buffer.remove(0, used);
            return response;
        }

        bool waitClosed(int timeoutMs = 10000)
        {
            return waitFor([&] {
                pump();
                return isClosed();
            }, timeoutMs);
        }

        bool isClosed() const { return m_socket->state() == QAbstractSocket::UnconnectedState; }
        void pump() { m_buffer.append(m_socket->readAll()); }
        QByteArray &buffer() { return m_buffer; }
        QTcpSocket *socket() const { return m_socket.get(); }

    private:
        std::unique_ptr<QTcpSocket> m_socket;
        QByteArray m_buffer;
    };

    QByteArray get(const QByteArray &target, const QByteArray &extra = {})
    {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
    }

    QByteArray post(const QByteArray &target, const QByteArray &body, const QByteArray &extra = {})
    {
        return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
    }

    char patternByte(qint64 offset)
    {
        return char(offset % 251);
    }

    // Decodes a chunked body as it arrives and checks it against patternByte(), without keeping it.
    class ChunkedVerifier
    {
    public:
        // Consumes what it can from buffer. False on a framing error or a wrong byte.
        bool feed(QByteArray &buffer)
        {
            qsizetype pos = 0;
            while (!m_done) {
                if (m_remaining > 0) {
                    const qsizetype take = std::min<qsizetype>(m_remaining, buffer.size() - pos);
                    if (take == 0)
                        break;
                    for (qsizetype i = 0; i < take; ++i) {
                        if (buffer.at(pos + i) != patternByte(m_received + i))
                            return false;
                    }
                    m_received += take;
                    m_remaining -= take;
                    pos += take;
                    m_needCrlf = (m_remaining == 0);
                    continue;
                }
                const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    break;
                if (m_needCrlf) {
                    if (lineEnd != pos)
                        return false;
                    m_needCrlf = false;
                    pos += 2;
                    continue;
                }
                bool ok = false;
                const qint64 size = buffer.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (!ok || size < 0)
                    return false;
                if (size == 0) {
                    if (buffer.size() < lineEnd + 4)
                        break;   // wait for the final CRLF; the size line is read again
                    if (buffer.mid(lineEnd + 2, 2) != "\r\n")
                        return false;
                    m_done = true;
                    pos = lineEnd + 4;
                    break;
                }
                m_remaining = size;
                pos = lineEnd + 2;
            }
            buffer.remove(0, pos);
            return true;
        }

        bool isDone() const { return m_done; }
        qint64 received() const { return m_received; }

    private:
        qint64 m_remaining = 0;
        qint64 m_received = 0;
        bool m_needCrlf = false;
        bool m_done = false;
    };
}

class TestHttpServer final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void testParserByteByByte() const;
    void testParserPipelinedInOneBuffer() const;
    void testGetAndPostKeepAlive();
    void testHeadRequest();
    void testPathAndQueryDecoding();
    void testPipelinedRequestsInOrder();
    void testManyPipelinedRequests();
    void testConnectionClose();
    void testHttp10();
    void testHugeContentLengthRefusedAtOnce();
    void testBodyLimitHook();
    void testLongUri414();
    void testLargeHead431();
    void testMalformed400_data();
    void testMalformed400();
    void testChunkedRequestBody();
    void testExpectContinue();
    void testIdleTimeout();
    void testRequestTimeout408();
    void testConnectionCap503();
    void testAnswerFromAnotherThread();
    void testClientGoneBeforeAnswer();
    void testDroppedResponderAndThrowingHandler();
    void testDisconnectRace();
    void testStreamingSmall();
    void testStreamingBackpressure();
    void testTls();
    void testOpenFileLimit() const;

private:
    std::unique_ptr<HttpServer> startServer(const HttpServerLimits &limits = {});
    void defaultHandler(const HttpRequest &request, HttpResponder responder);
    void postToWorker(std::function<void()> function);

    QThread m_workerThread;
    QObject *m_worker = nullptr;
    std::unique_ptr<HttpServer> m_server;
    QStringList m_events;
};

void TestHttpServer::initTestCase()
{
    m_worker = new QObject;
    m_worker->moveToThread(&m_workerThread);
    connect(&m_workerThread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_workerThread.start();
}

void TestHttpServer::cleanupTestCase()
{
    m_workerThread.quit();
    m_workerThread.wait();
}

void TestHttpServer::cleanup()
{
    m_server.reset();
    m_events.clear();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void TestHttpServer::postToWorker(std::function<void()> function)
{
    QMetaObject::invokeMethod(m_worker, std::move(function), Qt::QueuedConnection);
}

std::unique_ptr<HttpServer> TestHttpServer::startServer(const HttpServerLimits &limits)
{
    auto server = std::make_unique<HttpServer>();
    server->setLimits(limits);
    server->setHandler([this](const HttpRequest &request, HttpResponder responder) { defaultHandler(request, responder); });
    if (!server->listen(QHostAddress::LocalHost, 0)) {
        qWarning() << server->errorString();
        return nullptr;
    }
    return server;
}

// Routes shared by most tests.
void TestHttpServer::defaultHandler(const HttpRequest &request, HttpResponder responder)
{
    const QString path = request.path();
    if (path == u"/hello") {
        responder.send(HttpResponse(200, "text/plain"_ba, "hello"_ba));
    } else if (path == u"/echo") {
        HttpResponse response(200, "application/octet-stream"_ba, request.body());
        response.setHeader("X-Method", request.method());
        responder.send(response);
    } else if (path.startsWith(u"/info")) {
        QJsonArray query;
        for (const auto &item : request.queryItems())
            query.append(QJsonArray {item.first, item.second});
        QJsonObject headers;
        for (qsizetype i = 0; i < request.headers().size(); ++i)
            headers.insert(QString::fromLatin1(request.headers().nameAt(i)), QString::fromLatin1(request.headers().valueAt(i)));
        const QJsonObject info {
            {u"method"_s, QString::fromLatin1(request.method())},
            {u"target"_s, QString::fromLatin1(request.target())},
            {u"path"_s, request.path()},
            {u"query"_s, query},
            {u"headers"_s, headers},
            {u"body"_s, QString::fromUtf8(request.body())},
            {u"version"_s, u"%1.%2"_s.arg(request.httpMajorVersion()).arg(request.httpMinorVersion())},
            {u"secure"_s, request.isSecure()},
            {u"peer"_s, request.peerAddress().toString()},
        };
        m_events.append(u"handled "_s + request.queryItemValue(u"id"_s));
        responder.send(HttpResponse::json(200, QJsonDocument(info).toJson(QJsonDocument::Compact)));
    } else if (path == u"/delayed") {
        const QString id = request.queryItemValue(u"id"_s);
        m_events.append(u"handled "_s + id);
        QTimer::singleShot(request.queryItemValue(u"ms"_s).toInt(), this, [this, responder, id] {
            m_events.append(u"answered "_s + id);
            responder.send(HttpResponse(200, "text/plain"_ba, "delayed " + id.toLatin1()));
        });
    } else if (path == u"/stream-small") {
        responder.startStream(200, "text/plain"_ba);
        responder.writeChunk("a"_ba);
        responder.writeChunk("bc"_ba);
        responder.writeChunk("def"_ba);
        responder.finishStream();
    } else {
        responder.send(HttpResponse::fromError(Aq::ApiError::notFound(u"no route for "_s + path)));
    }
}

void TestHttpServer::testParserByteByByte() const
{
    // Every byte in its own feed() call: names, values and the URL arrive in the smallest pieces possible.
    const QByteArray bytes = "POST /a%20b/c?x=1&y=two+words HTTP/1.1\r\nHost: example\r\nX-Long-Header-Name: some value  \r\n"
                             "Transfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"_ba;
    HttpRequestParser parser;
    int heads = 0;
    std::optional<HttpRequest> request;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        qsizetype offset = 0;
        while (offset < 1) {
            qsizetype used = 0;
            const auto event = parser.feed(bytes.constData() + i + offset, 1 - offset, used);
            offset += used;
            QVERIFY2(event != HttpRequestParser::Event::Error, qPrintable(parser.errorMessage()));
            if (event == HttpRequestParser::Event::HeadComplete)
                ++heads;
            if (event == HttpRequestParser::Event::MessageComplete)
                request = parser.takeRequest();
        }
    }
    QCOMPARE(heads, 1);
    QVERIFY(request);
    QCOMPARE(request->method(), "POST"_ba);
    QCOMPARE(request->target(), "/a%20b/c?x=1&y=two+words"_ba);
    QCOMPARE(request->path(), u"/a b/c"_s);
    QCOMPARE(request->queryItemValue(u"y"_s), u"two words"_s);
    QCOMPARE(request->header("host"), "example"_ba);
    QCOMPARE(request->header("x-long-header-name"), "some value"_ba);   // trailing whitespace trimmed
    QVERIFY(!request->hasHeader("Trailer"));                              // trailers are not headers
    QCOMPARE(request->body(), "Wikipedia"_ba);
    QVERIFY(request->isKeepAlive());
}

void TestHttpServer::testParserPipelinedInOneBuffer() const
{
    const QByteArray bytes = get("/one") + post("/two", "body") + get("/three", "Connection: close\r\n");
    HttpRequestParser parser;
    QList<HttpRequest> requests;
    qsizetype offset = 0;
    while (offset < bytes.size()) {
        qsizetype used = 0;
        const auto event = parser.feed(bytes.constData() + offset, bytes.size() - offset, used);
        offset += used;
        QVERIFY(event != HttpRequestParser::Event::Error);
        if (event == HttpRequestParser::Event::MessageComplete)
            requests.append(parser.takeRequest());
    }
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests.at(0).path(), u"/one"_s);
    QCOMPARE(requests.at(1).body(), "body"_ba);
    QCOMPARE(requests.at(2).path(), u"/three"_s);
    QVERIFY(requests.at(1).isKeepAlive());
    QVERIFY(!requests.at(2).isKeepAlive());
}

void TestHttpServer::testGetAndPostKeepAlive()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));

    client.send(get("/hello"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, "hello"_ba);
    QCOMPARE(response->header("Content-Type"), "text/plain"_ba);
    QCOMPARE(response->header("Content-Length"), "5"_ba);
    QCOMPARE(response->header("Server"), "aqueduct"_ba);
    QVERIFY(response->header("Date").endsWith(" GMT"));
    QVERIFY(!response->hasHeader("Connection"));   // HTTP/1.1 keeps the connection by default

    client.send(post("/echo", "some body bytes"));
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, "some body bytes"_ba);
    QCOMPARE(response->header("X-Method"), "POST"_ba);

    client.send(get("/nowhere"));
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    QCOMPARE(response->error().value(u"status"_s).toString(), u"NOT_FOUND"_s);

    QVERIFY(!client.isClosed());
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpServer::testHeadRequest()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n" + get("/hello"));
    auto head = client.read(true);
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->header("Content-Length"), "5"_ba);
    QVERIFY(head->body.isEmpty());
    // Had the HEAD answer carried a body, this second response would not parse.
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "hello"_ba);
}

void TestHttpServer::testPathAndQueryDecoding()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/info/a%20b/%C3%A9?x=1&y=two+words&z=%26%3D&flag&=empty-key&x=2", "X-Custom:   padded value   \r\n"));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("Content-Type"), "application/json; charset=UTF-8"_ba);
    const QJsonObject info = response->json();
    QCOMPARE(info.value(u"path"_s).toString(), u"/info/a b/\u00e9"_s);
    QCOMPARE(info.value(u"target"_s).toString(), u"/info/a%20b/%C3%A9?x=1&y=two+words&z=%26%3D&flag&=empty-key&x=2"_s);
    const QJsonArray query = info.value(u"query"_s).toArray();
    QCOMPARE(query.size(), 6);
    QCOMPARE(query.at(0).toArray(), (QJsonArray {u"x"_s, u"1"_s}));
    QCOMPARE(query.at(1).toArray(), (QJsonArray {u"y"_s, u"two words"_s}));
    QCOMPARE(query.at(2).toArray(), (QJsonArray {u"z"_s, u"&="_s}));
    QCOMPARE(query.at(3).toArray(), (QJsonArray {u"flag"_s, u""_s}));
    QCOMPARE(query.at(4).toArray(), (QJsonArray {u""_s, u"empty-key"_s}));
    QCOMPARE(query.at(5).toArray(), (QJsonArray {u"x"_s, u"2"_s}));
    QCOMPARE(info.value(u"headers"_s).toObject().value(u"X-Custom"_s).toString(), u"padded value"_s);
    QCOMPARE(info.value(u"version"_s).toString(), u"1.1"_s);
    QCOMPARE(info.value(u"secure"_s).toBool(), false);
    QCOMPARE(info.value(u"peer"_s).toString(), u"127.0.0.1"_s);
}

void TestHttpServer::testPipelinedRequestsInOrder()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    // The first answer is slow; the second request must not even reach the handler before it is sent.
    client.send(get("/delayed?ms=300&id=1") + get("/info?id=2"));
    const auto first = client.read();
    const auto second = client.read();
    QVERIFY(first && second);
    QCOMPARE(first->body, "delayed 1"_ba);
    QCOMPARE(second->status, 200);
    QCOMPARE(second->json().value(u"path"_s).toString(), u"/info"_s);
    QCOMPARE(m_events, (QStringList {u"handled 1"_s, u"answered 1"_s, u"handled 2"_s}));
}

void TestHttpServer::testManyPipelinedRequests()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    QByteArray batch;
    for (int i = 0; i < 200; ++i)
        batch += (i % 2) ? post("/echo", "body " + QByteArray::number(i)) : get("/info?id=" + QByteArray::number(i));
    client.send(batch);
    for (int i = 0; i < 200; ++i) {
        const auto response = client.read();
        QVERIFY2(response, qPrintable(u"response %1 missing"_s.arg(i)));
        QCOMPARE(response->status, 200);
        if (i % 2)
            QCOMPARE(response->body, "body " + QByteArray::number(i));
        else
            QCOMPARE(response->json().value(u"query"_s).toArray().at(0).toArray().at(1).toString(), QString::number(i));
    }
}

void TestHttpServer::testConnectionClose()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    // The second request comes after "Connection: close" and must be ignored.
    client.send(get("/hello", "Connection: close\r\n") + get("/hello"));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("Connection"), "close"_ba);
    QVERIFY(client.waitClosed());
    QVERIFY(client.buffer().isEmpty());

    // A handler may ask for the close itself.
    m_server->setHandler([](const HttpRequest &, HttpResponder responder) {
        HttpResponse response(200, "text/plain"_ba, "bye"_ba);
        response.setHeader("Connection", "close");
        responder.send(response);
    });
    RawClient second;
    QVERIFY(second.connectTo(m_server->serverPort()));
    second.send(get("/"));
    const auto bye = second.read();
    QVERIFY(bye);
    QCOMPARE(bye->header("Connection"), "close"_ba);
    QVERIFY(second.waitClosed());
}

void TestHttpServer::testHttp10()
{
    m_server = startServer();
    QVERIFY(m_server);
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send("GET /hello HTTP/1.0\r\n\r\n"_ba);
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, "hello"_ba);
        QCOMPARE(response->header("Connection"), "close"_ba);
        QVERIFY(client.waitClosed());
    }
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"_ba);
        auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->header("Connection"), "keep-alive"_ba);
        client.send("GET /info HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"_ba);
        response = client.read();
        QVERIFY(response);
        QCOMPARE(response->json().value(u"version"_s).toString(), u"1.0"_s);
        QVERIFY(!client.isClosed());
    }
}

void TestHttpServer::testHugeContentLengthRefusedAtOnce()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    // Only the head: the answer must not wait for any of the 100 GB.
    client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 107374182400\r\n\r\n"_ba);
    const auto response = client.read(false, 5000);
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QCOMPARE(response->header("Connection"), "close"_ba);
    QCOMPARE(response->header("Content-Type"), "application/json; charset=UTF-8"_ba);
    const QJsonObject error = response->error();
    QCOMPARE(error.value(u"code"_s).toInt(), 413);
    QVERIFY2(error.value(u"message"_s).toString().contains(u"16777216"_s), qPrintable(error.value(u"message"_s).toString()));
    QVERIFY(error.value(u"message"_s).toString().contains(u"107374182400"_s));
    QVERIFY(client.waitClosed());
}

void TestHttpServer::testBodyLimitHook()
{
    HttpServerLimits limits;
    limits.bodyLimitHook = [](const QByteArray &method, const QString &path) -> qint64 {
        return (method == "POST" && path == u"/echo") ? 10 : -1;
    };
    m_server = startServer(limits);
    QVERIFY(m_server);

    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(post("/echo", "0123456789"));   // exactly the limit
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    client.send(post("/echo", "0123456789X"));
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QVERIFY(response->error().value(u"message"_s).toString().contains(u"10 bytes"_s));
    QVERIFY(client.waitClosed());

    // Chunked: the limit applies to the decoded size, and is caught at the chunk that passes it.
    RawClient chunked;
    QVERIFY(chunked.connectTo(m_server->serverPort()));
    chunked.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n"_ba);
    response = chunked.read();
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QVERIFY(chunked.waitClosed());

    // Other routes keep the default limit.
    RawClient other;
    QVERIFY(other.connectTo(m_server->serverPort()));
    other.send(post("/info", QByteArray(1000, 'x')));
    response = other.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void TestHttpServer::testLongUri414()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/" + QByteArray(20 * 1000, 'a')));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 414);
    QVERIFY(response->error().value(u"message"_s).toString().contains(u"8192"_s));
    QVERIFY(client.waitClosed());
}

void TestHttpServer::testLargeHead431()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    QByteArray head = "GET /hello HTTP/1.1\r\nHost: test\r\n"_ba;
    for (int i = 0; i < 100; ++i)
        head += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(1000, 'f') + "\r\n";
    head += "\r\n";
    QVERIFY(head.size() > 100 * 1000);
    client.send(head);
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 431);
    QVERIFY(response->error().value(u"message"_s).toString().contains(u"65536"_s));
    QVERIFY(client.waitClosed());
}

void TestHttpServer::testMalformed400_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::newRow("garbage") << "THIS IS NOT HTTP\r\n\r\n"_ba << 400;
    QTest::newRow("bad method char") << "GE\x01T / HTTP/1.1\r\n\r\n"_ba << 400;
    QTest::newRow("http 0.9") << "GET /\r\n\r\n"_ba << 505;
    QTest::newRow("length and chunked") << "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"_ba << 400;
    QTest::newRow("two lengths") << "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"_ba << 400;
    QTest::newRow("bad chunk size") << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"_ba << 400;
    QTest::newRow("space in header name") << "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"_ba << 400;
    QTest::newRow("space before colon") << "POST /echo HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello"_ba << 400;
    QTest::newRow("folded header") << "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n"_ba << 400;
    static const char withNul[] = "GET / HTTP/1.1\r\nX-A: o\0ne\r\n\r\n";
    QTest::newRow("nul in header value") << QByteArray(withNul, sizeof(withNul) - 1) << 400;
    QTest::newRow("http 2.0") << "GET / HTTP/2.0\r\n\r\n"_ba << 505;
}

void TestHttpServer::testMalformed400()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(bytes);
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, status);
    QCOMPARE(response->error().value(u"code"_s).toInt(), status);
    QVERIFY(!response->error().value(u"message"_s).toString().isEmpty());
    QVERIFY(client.waitClosed());
}

void TestHttpServer::testChunkedRequestBody()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"_ba);
    spin(50);   // the rest arrives later, as from a real streaming client
    client.send("6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"_ba);
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, "hello world"_ba);
    // And the connection is still good for the next request.
    client.send(get("/hello"));
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "hello"_ba);
}

void TestHttpServer::testExpectContinue()
{
    m_server = startServer();
    QVERIFY(m_server);
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"_ba);
        const auto interim = client.read();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        client.send("hello"_ba);
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, "hello"_ba);
    }
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\n\r\n"_ba);
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 413);   // no "100 Continue" first
        QVERIFY(client.waitClosed());
    }
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: teapot\r\n\r\n"_ba);
        const auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->status, 417);
        QVERIFY(client.waitClosed());
    }
}

void TestHttpServer::testIdleTimeout()
{
    HttpServerLimits limits;
    limits.idleTimeout = std::chrono::milliseconds(300);
    m_server = startServer(limits);
    QVERIFY(m_server);

    RawClient silent;
    QVERIFY(silent.connectTo(m_server->serverPort()));
    RawClient served;
    QVERIFY(served.connectTo(m_server->serverPort()));
    served.send(get("/hello"));
    QVERIFY(served.read());

    QElapsedTimer timer;
    timer.start();
    QVERIFY(silent.waitClosed(10000));
    QVERIFY(served.waitClosed(10000));
    QVERIFY(timer.elapsed() >= 100);   // generous: it must not close at once either
    QVERIFY(silent.buffer().isEmpty());   // an idle close says nothing
    QVERIFY(waitFor([&] { return m_server->connectionCount() == 0; }));
}

void TestHttpServer::testRequestTimeout408()
{
    HttpServerLimits limits;
    limits.requestTimeout = std::chrono::milliseconds(300);
    m_server = startServer(limits);
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send("GET /hello HTTP/1.1\r\nHost: te"_ba);   // and then nothing
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 408);
    QCOMPARE(response->error().value(u"code"_s).toInt(), 408);
    QVERIFY(client.waitClosed());
}

void TestHttpServer::testConnectionCap503()
{
    HttpServerLimits limits;
    limits.maxConnections = 2;
    m_server = startServer(limits);
    QVERIFY(m_server);

    RawClient first;
    RawClient second;
    QVERIFY(first.connectTo(m_server->serverPort()));
    QVERIFY(second.connectTo(m_server->serverPort()));
    first.send(get("/hello"));
    second.send(get("/hello"));
    QVERIFY(first.read());
    QVERIFY(second.read());
    QCOMPARE(m_server->connectionCount(), 2);

    RawClient third;
    QVERIFY(third.connectTo(m_server->serverPort()));
    third.send(get("/hello"));
    const auto refused = third.read();
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->error().value(u"status"_s).toString(), u"UNAVAILABLE"_s);
    QCOMPARE(refused->header("Connection"), "close"_ba);
    QCOMPARE(refused->header("Retry-After"), "1"_ba);
    QVERIFY(third.waitClosed());
    QCOMPARE(m_server->connectionCount(), 2);

    first.socket()->abort();
    QVERIFY(waitFor([&] { return m_server->connectionCount() == 1; }));
    RawClient fourth;
    QVERIFY(fourth.connectTo(m_server->serverPort()));
    fourth.send(get("/hello"));
    const auto served = fourth.read();
    QVERIFY(served);
    QCOMPARE(served->status, 200);
}

void TestHttpServer::testAnswerFromAnotherThread()
{
    m_server = startServer();
    QVERIFY(m_server);
    std::atomic<QThread *> handlerThread {nullptr};
    std::atomic<QThread *> answerThread {nullptr};
    m_server->setHandler([&](const HttpRequest &request, HttpResponder responder) {
        handlerThread = QThread::currentThread();
        const QByteArray body = request.body();
        postToWorker([this, responder, body, &answerThread] {
            QTimer::singleShot(1000, m_worker, [responder, body, &answerThread] {
                answerThread = QThread::currentThread();
                responder.send(HttpResponse(200, "text/plain"_ba, "late: " + body));
            });
        });
    });
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    QElapsedTimer timer;
    timer.start();
    client.send(post("/late", "x"));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, "late: x"_ba);
    QVERIFY(timer.elapsed() >= 900);
    QCOMPARE(handlerThread.load(), QThread::currentThread());
    QCOMPARE(answerThread.load(), &m_workerThread);

    // The connection goes on serving after a cross-thread answer.
    client.send(post("/late", "y"));
    const auto again = client.read();
    QVERIFY(again);
    QCOMPARE(again->body, "late: y"_ba);
}

void TestHttpServer::testClientGoneBeforeAnswer()
{
    m_server = startServer();
    QVERIFY(m_server);
    HttpResponder held;
    std::atomic<int> disconnectCalls {0};
    m_server->setHandler([&](const HttpRequest &, HttpResponder responder) {
        held = responder;
        responder.onDisconnected([&] { ++disconnectCalls; });
    });
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send(get("/long-poll"));
        QVERIFY(waitFor([&] { return !held.isNull(); }));
        QVERIFY(held.isConnected());
        client.socket()->abort();
    }
    QVERIFY(waitFor([&] { return disconnectCalls.load() == 1; }));
    QVERIFY(!held.isConnected());
    QVERIFY(waitFor([&] { return m_server->connectionCount() == 0; }));

    // Answering now, from another thread, does nothing, and neither does a late onDisconnected (it is called at once).
    std::atomic<bool> lateCallback {false};
    QMetaObject::invokeMethod(m_worker, [&] {
        held.send(HttpResponse(200, "text/plain"_ba, "too late"_ba));
        held.onDisconnected([&] { lateCallback = true; });
    }, Qt::BlockingQueuedConnection);
    QVERIFY(lateCallback.load());
    spin(50);
    QCOMPARE(disconnectCalls.load(), 1);

    // A stream started for a client that went away; then the server itself goes away. Nothing may crash.
    HttpResponder streaming;
    m_server->setHandler([&](const HttpRequest &, HttpResponder responder) { streaming = responder; });
    {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send(get("/stream"));
        QVERIFY(waitFor([&] { return !streaming.isNull(); }));
    }   // client destroyed: connection closed
    QVERIFY(waitFor([&] { return !streaming.isConnected(); }));
    QMetaObject::invokeMethod(m_worker, [&] {
        streaming.startStream(200, "text/plain"_ba);
        streaming.writeChunk("data"_ba);
    }, Qt::BlockingQueuedConnection);
    spin(20);
    m_server.reset();
    QMetaObject::invokeMethod(m_worker, [&] {
        streaming.writeChunk("more"_ba);
        streaming.finishStream();
        held = HttpResponder();
        streaming = HttpResponder();
    }, Qt::BlockingQueuedConnection);
    spin(20);
}

void TestHttpServer::testDroppedResponderAndThrowingHandler()
{
    m_server = startServer();
    QVERIFY(m_server);
    m_server->setHandler([](const HttpRequest &request, HttpResponder) {
        if (request.path() == u"/throw")
            throw Aq::ApiError::invalidArgument(u"bad 'from'"_s);
        if (request.path() == u"/std")
            throw std::runtime_error("boom");
        // else: drop the responder without answering
    });
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/drop") + get("/throw") + get("/std"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 400);
    QCOMPARE(response->error().value(u"message"_s).toString(), u"bad 'from'"_s);
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    QVERIFY(!client.isClosed());
}

void TestHttpServer::testDisconnectRace()
{
    // Answers from another thread racing clients that vanish right after asking. Checks only that nothing breaks.
    m_server = startServer();
    QVERIFY(m_server);
    std::atomic<int> answered {0};
    m_server->setHandler([&](const HttpRequest &, HttpResponder responder) {
        postToWorker([responder, &answered] {
            responder.send(HttpResponse(200, "text/plain"_ba, "ok"_ba));
            ++answered;
        });
    });
    for (int i = 0; i < 200; ++i) {
        RawClient client;
        QVERIFY(client.connectTo(m_server->serverPort()));
        client.send(get("/race"));
        if (i % 3 == 0)
            QCoreApplication::processEvents();
        if (i % 5 == 0)
            spin(1);
        client.socket()->abort();
    }
    QVERIFY(waitFor([&] { return m_server->connectionCount() == 0; }));
    // Still serving.
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/race"));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "ok"_ba);
}

void TestHttpServer::testStreamingSmall()
{
    m_server = startServer();
    QVERIFY(m_server);
    RawClient client;
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/stream-small") + "HEAD /stream-small HTTP/1.1\r\nHost: test\r\n\r\n" + get("/hello"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->header("Transfer-Encoding"), "chunked"_ba);
    QVERIFY(!response->hasHeader("Content-Length"));
    QCOMPARE(response->body, "abcdef"_ba);
    response = client.read(true);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "hello"_ba);   // HEAD sent no chunk bytes

    // HTTP/1.0 has no chunked coding: the body ends with the connection.
    RawClient old;
    QVERIFY(old.connectTo(m_server->serverPort()));
    old.send("GET /stream-small HTTP/1.0\r\n\r\n"_ba);
    QVERIFY(old.waitClosed());
    response = old.read();
    QVERIFY(response);
    QVERIFY(!response->hasHeader("Transfer-Encoding"));
    QCOMPARE(response->body, "abcdef"_ba);
}

void TestHttpServer::testStreamingBackpressure()
{
    static constexpr qint64 total = 50 * 1000 * 1000;
    static constexpr qint64 chunkSize = 64 * 1024;
    static constexpr qint64 highMark = 1024 * 1024;
    m_server = startServer();
    QVERIFY(m_server);

    struct Producer
    {
        HttpResponder responder;
        qint64 sent = 0;
        qint64 maxPending = 0;       // as the responder reports it
        qint64 maxSocketPending = 0; // as the server's sockets report it
        int writableCalls = 0;
        bool finished = false;
    };
    auto producer = std::make_shared<Producer>();
    HttpServer *server = m_server.get();
    auto pump = [producer, server] {
        while (!producer->finished && producer->responder.pendingBytes() < highMark) {
            if (producer->sent >= total) {
                producer->responder.finishStream();
                producer->finished = true;
                break;
            }
            const qint64 size = std::min(chunkSize, total - producer->sent);
            QByteArray chunk(size, Qt::Uninitialized);
            for (qint64 i = 0; i < size; ++i)
                chunk[i] = patternByte(producer->sent + i);
            producer->responder.writeChunk(chunk);
            producer->sent += size;
            producer->maxPending = std::max(producer->maxPending, producer->responder.pendingBytes());
            producer->maxSocketPending = std::max(producer->maxSocketPending, server->pendingOutputBytes());
        }
    };
    m_server->setHandler([producer, pump](const HttpRequest &, HttpResponder responder) {
        producer->responder = responder;
        responder.onWritable([producer, pump] {
            ++producer->writableCalls;
            pump();
        });
        responder.startStream(200, "application/octet-stream"_ba);
        pump();
    });

    RawClient client;
    // A small read buffer, so that while the test does not read, Qt does not either, and the kernel's buffers fill.
    client.socket()->setReadBufferSize(64 * 1024);
    QVERIFY(client.connectTo(m_server->serverPort()));
    client.send(get("/data"));

    QVERIFY(waitFor([&] { return producer->sent > 0; }));
    // Not reading for a while: the producer must stop well short of the end and the server's output stay bounded.
    spin(500);
    const qint64 sentWhileStalled = producer->sent;
    QVERIFY2(sentWhileStalled < total / 2, qPrintable(QString::number(sentWhileStalled)));
    QVERIFY2(m_server->pendingOutputBytes() <= highMark + chunkSize + 64, qPrintable(QString::number(m_server->pendingOutputBytes())));

    // Now read everything, checking each byte.
    client.pump();
    const qsizetype headEnd = [&] {
        waitFor([&] {
            client.pump();
            return client.buffer().contains("\r\n\r\n");
        });
        return client.buffer().indexOf("\r\n\r\n");
    }();
    QVERIFY(headEnd > 0);
    QVERIFY(client.buffer().startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(client.buffer().left(headEnd).contains("Transfer-Encoding: chunked"));
    client.buffer().remove(0, headEnd + 4);
    ChunkedVerifier verifier;
    bool intact = true;
    QVERIFY(waitFor([&] {
        client.pump();
        intact = intact && verifier.feed(client.buffer());
        return !intact || verifier.isDone();
    }, 120000));
    QVERIFY(intact);
    QCOMPARE(verifier.received(), total);
    QVERIFY(producer->finished);
    QVERIFY2(producer->maxPending <= highMark + chunkSize, qPrintable(QString::number(producer->maxPending)));
    QVERIFY2(producer->maxSocketPending <= highMark + chunkSize + 64, qPrintable(QString::number(producer->maxSocketPending)));
    QVERIFY(producer->writableCalls > 10);
    qInfo() << "streamed" << total << "bytes; most pending" << producer->maxPending << "; onWritable calls" << producer->writableCalls
            << "; sent while the client stalled" << sentWhileStalled;

    // The connection is reusable after the stream.
    m_server->setHandler([this](const HttpRequest &request, HttpResponder responder) { defaultHandler(request, responder); });
    client.send(get("/hello"));
    const auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "hello"_ba);
}

void TestHttpServer::testTls()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
    if (openssl.isEmpty())
        QSKIP("the openssl command is not installed");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certFile = dir.filePath(u"cert.pem"_s);
    const QString keyFile = dir.filePath(u"key.pem"_s);
    QProcess process;
    process.start(openssl, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-subj"_s, u"/CN=localhost"_s,
                            u"-addext"_s, u"subjectAltName=DNS:localhost"_s, u"-days"_s, u"1"_s,
                            u"-keyout"_s, keyFile, u"-out"_s, certFile});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());

    m_server = std::make_unique<HttpServer>();
    const Aq::Status missing = m_server->setTls(dir.filePath(u"nothing.pem"_s), keyFile);
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(u"nothing.pem"_s));
    const Aq::Status status = m_server->setTls(certFile, keyFile);
    QVERIFY2(status, status ? "" : qPrintable(status.error().message));
    QVERIFY(m_server->isTlsEnabled());
    m_server->setHandler([this](const HttpRequest &request, HttpResponder responder) { defaultHandler(request, responder); });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));

    auto *socket = new QSslSocket;
    QSslConfiguration configuration = socket->sslConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(certFile));   // verified for real, against our CA
    socket->setSslConfiguration(configuration);
    QList<QSslError> errors;
    connect(socket, &QSslSocket::sslErrors, this, [&](const QList<QSslError> &e) { errors += e; });
    RawClient client(socket);
    socket->connectToHostEncrypted(u"127.0.0.1"_s, m_server->serverPort(), u"localhost"_s);
    QVERIFY2(waitFor([&] { return socket->isEncrypted() || socket->state() == QAbstractSocket::UnconnectedState; }),
             "TLS handshake did not finish");
    QVERIFY2(socket->isEncrypted(), qPrintable(errors.isEmpty() ? socket->errorString() : errors.first().errorString()));

    client.send(get("/info") + post("/echo", "over tls"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(u"secure"_s).toBool(), true);
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, "over tls"_ba);

    // A plain-text client on the TLS port gets no answer and does no harm.
    RawClient plain;
    QVERIFY(plain.connectTo(m_server->serverPort()));
    plain.send(get("/hello"));
    QVERIFY(plain.waitClosed(20000));
    QVERIFY(!plain.buffer().startsWith("HTTP/"));
}

void TestHttpServer::testOpenFileLimit() const
{
    const qint64 limit = raiseOpenFileLimit();
    QVERIFY(limit == -1 || limit >= 1024);
    QCOMPARE(raiseOpenFileLimit(), limit);   // idempotent
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "testhttpserver.moc"
