#include "core/server/http/httpserver.h"

#include <algorithm>

#include <QFile>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

#include "core/server/http/httpconnection.h"
#include "core/server/http/httplogging.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        // Refusals are cheap but each holds a socket for up to the linger time; past this many, drop new ones bare.
        constexpr int MAX_REJECTING = 256;
        // The kernel queue of connections not yet accepted; Qt's default of 50 drops bursts of new clients.
        constexpr int LISTEN_BACKLOG = 1024;

        Result<QByteArray> readFile(const QString &path, const QString &what)
        {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return ApiError::invalidArgument(u"cannot read the TLS %1 file %2: %3"_s.arg(what, path, file.errorString()));
            return file.readAll();
        }
    }

    HttpServer::HttpServer(QObject *parent)
        : QObject {parent}
        , m_sweepTimer {this}   // a child, so it moves with the server to the HTTP thread
    {
        connect(&m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
    }

    HttpServer::~HttpServer()
    {
        // Delete connections now, while this object is whole: each tells its pending responders that the client is gone.
        const QList<HttpConnection *> connections = std::exchange(m_connections, {});
        for (HttpConnection *connection : connections) {
            QObject::disconnect(connection, nullptr, this, nullptr);
            delete connection;
        }
    }

    void HttpServer::setHandler(HttpHandler handler)
    {
        m_handler = std::move(handler);
    }

    void HttpServer::setHooks(HttpServerHooks hooks)
    {
        m_hooks = std::move(hooks);
    }

    void HttpServer::setLimits(const HttpServerLimits &limits)
    {
        m_limits = limits;
    }

    const HttpServerLimits &HttpServer::limits() const
    {
        return m_limits;
    }

    Status HttpServer::setTls(const QString &certificateFile, const QString &privateKeyFile)
    {
        if (m_listener)
            return ApiError::failedPrecondition(u"TLS must be configured before listen()"_s);
        if (!QSslSocket::supportsSsl())
            return ApiError::failedPrecondition(u"TLS is not available: Qt found no TLS backend (OpenSSL)"_s);

        const Result<QByteArray> certificateBytes = readFile(certificateFile, u"certificate"_s);
        if (!certificateBytes)
            return certificateBytes.error();
        const Result<QByteArray> keyBytes = readFile(privateKeyFile, u"private key"_s);
        if (!keyBytes)
            return keyBytes.error();

        const QList<QSslCertificate> chain = QSslCertificate::fromData(*certificateBytes, QSsl::Pem);
        if (chain.isEmpty() || chain.first().isNull())
            return ApiError::invalidArgument(u"no PEM certificate in %1"_s.arg(certificateFile));
        QSslKey key;
        for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
            key = QSslKey(*keyBytes, algorithm, QSsl::Pem, QSsl::PrivateKey);
            if (!key.isNull())
                break;
        }
        if (key.isNull())
            return ApiError::invalidArgument(u"no unencrypted PEM private key (RSA, EC or DSA) in %1"_s.arg(privateKeyFile));

        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificateChain(chain);
        configuration.setPrivateKey(key);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        configuration.setProtocol(QSsl::TlsV1_2OrLater);
        // We speak HTTP/1.1 only: say so, or an h2-capable client may pick h2.
        configuration.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        m_tlsConfiguration = configuration;
        m_tlsEnabled = true;
        return Ok {};
    }

    bool HttpServer::isTlsEnabled() const
    {
        return m_tlsEnabled;
    }

    bool HttpServer::listen(const QHostAddress &address, quint16 port)
    {
        if (m_listener) {
            m_errorString = u"the server is already listening"_s;
            return false;
        }
        QTcpServer *listener = nullptr;
        if (m_tlsEnabled) {
            auto *sslServer = new QSslServer(this);
            sslServer->setSslConfiguration(m_tlsConfiguration);
            sslServer->setHandshakeTimeout(int(m_limits.tlsHandshakeTimeout.count()));
            connect(sslServer, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
                qCDebug(lcHttp) << "TLS connection failed before its handshake completed:" << socket->errorString();
            });
            listener = sslServer;
        } else {
            listener = new QTcpServer(this);
        }
        listener->setListenBacklogSize(LISTEN_BACKLOG);
        listener->setMaxPendingConnections(LISTEN_BACKLOG);
        // pendingConnectionAvailable (Qt 6.4) rather than newConnection: QSslServer adds a socket only once its
        // handshake is done.
        connect(listener, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::handlePendingConnections);
        if (!listener->listen(address, port)) {
            m_errorString = listener->errorString();   // callers name the address themselves
            delete listener;
            return false;
        }
        m_listener = listener;
        m_errorString.clear();

        // One sweep for all timeouts instead of a timer per connection: a request then costs a clock read, not a
        // timer restart. Sweeping four times per shortest timeout keeps each within 25 % of its value.
        const qint64 shortest = std::min({m_limits.idleTimeout.count(), m_limits.requestTimeout.count(), m_limits.lingerTimeout.count()});
        m_sweepTimer.start(int(std::clamp<qint64>(shortest / 4, 10, 1000)));
        qCDebug(lcHttp) << "listening on" << m_listener->serverAddress() << m_listener->serverPort() << (m_tlsEnabled ? "with TLS" : "");
        return true;
    }

    void HttpServer::close()
    {
        if (!m_listener)
            return;
        m_listener->close();
        m_listener->deleteLater();
        m_listener = nullptr;
    }

    bool HttpServer::isListening() const
    {
        return m_listener && m_listener->isListening();
    }

    QHostAddress HttpServer::serverAddress() const
    {
        return m_listener ? m_listener->serverAddress() : QHostAddress();
    }

    quint16 HttpServer::serverPort() const
    {
        return m_listener ? m_listener->serverPort() : 0;
    }

    QString HttpServer::errorString() const
    {
        return m_errorString;
    }

    int HttpServer::connectionCount() const
    {
        return m_servingCount;
    }

    int HttpServer::busyConnectionCount() const
    {
        int busy = 0;
        for (const HttpConnection *connection : m_connections) {
            if (connection->mode() == HttpConnection::Mode::Serve && connection->isBusy())
                ++busy;
        }
        return busy;
    }

    qint64 HttpServer::pendingOutputBytes() const
    {
        qint64 total = 0;
        for (const HttpConnection *connection : m_connections)
            total += connection->isClosed() ? 0 : connection->pendingOutputBytes();
        return total;
    }

    void HttpServer::handlePendingConnections()
    {
        if (!m_listener)
            return;
        while (QTcpSocket *socket = m_listener->nextPendingConnection()) {
            // A response's head and body are separate writes: without this the body could wait for the client's
            // delayed ACK of the head.
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            HttpConnection::Mode mode = HttpConnection::Mode::Serve;
            if (m_servingCount >= m_limits.maxConnections) {
                if (m_rejectingCount >= MAX_REJECTING) {
                    socket->abort();
                    socket->deleteLater();
                    continue;
                }
                // At most one line per 10 s: a flood of refusals must not become a flood of log lines.
                ++m_refusedSinceLog;
                const qint64 now = HttpConnection::monotonicMs();
                if ((m_lastRefusalLog == 0) || (now - m_lastRefusalLog >= 10'000)) {
                    qCInfo(lcHttp) << "at the limit of" << m_limits.maxConnections << "connections: refused"
                                   << m_refusedSinceLog << "new connection(s) with 503";
                    m_lastRefusalLog = now;
                    m_refusedSinceLog = 0;
                }
                mode = HttpConnection::Mode::RejectOverCapacity;
            }
            auto *connection = new HttpConnection(socket, m_limits, &m_handler, &m_hooks, mode, this);
            connect(connection, &HttpConnection::closed, this, &HttpServer::handleConnectionClosed);
            m_connections.append(connection);
            if (mode == HttpConnection::Mode::Serve)
                ++m_servingCount;
            else
                ++m_rejectingCount;
        }
    }

    void HttpServer::handleConnectionClosed(HttpConnection *connection)
    {
        // Swap-and-pop: order does not matter and 2,000 connections make a linear removal noticeable.
        const qsizetype index = m_connections.indexOf(connection);
        if (index < 0)
            return;
        m_connections[index] = m_connections.last();
        m_connections.removeLast();
        if (connection->mode() == HttpConnection::Mode::Serve)
            --m_servingCount;
        else
            --m_rejectingCount;
        connection->deleteLater();   // we may be inside one of its socket's signals
    }

    void HttpServer::sweep()
    {
        const qint64 now = HttpConnection::monotonicMs();
        // A copy: a timeout closes connections, which removes them from m_connections. They are deleted later, so
        // the pointers stay valid for this loop.
        const QList<HttpConnection *> connections = m_connections;
        for (HttpConnection *connection : connections)
            connection->checkTimeouts(now);
    }
}
