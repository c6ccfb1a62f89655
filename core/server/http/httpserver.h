#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>

#include "core/common/result.h"
#include "core/server/http/httpexchange.h"
#include "core/server/http/httpresponder.h"
#include "core/server/http/httpserverlimits.h"

class QTcpServer;

namespace Aq::Server
{
    class HttpConnection;

    // Our HTTP/1.1 server, on QTcpServer (QSslServer with TLS) and http-parser, in place of QtHttpServer 6.4, which
    // buffers whole bodies, has no limits or timeouts, and ignores Expect and Connection: close (QT64-NOTES.md).
    // Every request goes to one handler, on this object's thread; connections beyond the limit get a 503.
    //
    //     HttpServer server;
    //     server.setHandler([](const HttpRequest &request, HttpResponder responder) {
    //         responder.send(HttpResponse::json(200, R"({"ok":true})"_ba));
    //     });
    //     if (!server.listen(QHostAddress::LocalHost, 8080))
    //         qCritical() << server.errorString();
    //
    // Configure (limits, handler, TLS) before listen(), and do not move the server to another thread while it
    // listens.
    class HttpServer : public QObject
    {
        Q_OBJECT

    public:
        explicit HttpServer(QObject *parent = nullptr);
        ~HttpServer() override;

        void setHandler(HttpHandler handler);
        void setHooks(HttpServerHooks hooks);
        // Applies to connections accepted afterwards.
        void setLimits(const HttpServerLimits &limits);
        const HttpServerLimits &limits() const;

        // PEM certificate (chain: the server's certificate first) and unencrypted PEM private key (RSA or EC).
        // Call before listen().
        Status setTls(const QString &certificateFile, const QString &privateKeyFile);
        bool isTlsEnabled() const;

        bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
        // Stops accepting; open connections stay until they close.
        void close();
        bool isListening() const;
        QHostAddress serverAddress() const;
        quint16 serverPort() const;
        QString errorString() const;

        // Connections being served (not counting those being refused with 503).
        int connectionCount() const;
        // Connections whose request is being handled or whose answer is still being written (draining waits for them).
        int busyConnectionCount() const;
        // Output accepted by all connections and not yet written to the network.
        qint64 pendingOutputBytes() const;

    private:
        void handlePendingConnections();
        void handleConnectionClosed(HttpConnection *connection);
        void sweep();

        HttpServerLimits m_limits;
        HttpHandler m_handler;
        HttpServerHooks m_hooks;
        QTcpServer *m_listener = nullptr;
        QSslConfiguration m_tlsConfiguration;
        bool m_tlsEnabled = false;
        QTimer m_sweepTimer;
        QList<HttpConnection *> m_connections;
        int m_servingCount = 0;
        int m_rejectingCount = 0;
        qint64 m_lastRefusalLog = 0;
        qint64 m_refusedSinceLog = 0;
        QString m_errorString;
    };
}
