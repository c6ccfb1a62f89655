#pragma once

#include <memory>

#include <QHostAddress>
#include <QObject>

#include "core/server/http/httpexchange.h"
#include "core/server/http/httpheaders.h"
#include "core/server/http/httprequestparser.h"
#include "core/server/http/httpresponder.h"
#include "core/server/http/httpserverlimits.h"

class QTcpSocket;
class QSslSocket;

namespace Aq::Server
{
    class HttpResponderState;

    // One client socket: bytes go through HttpRequestParser, each complete request goes to the handler, and its
    // answer comes back through an HttpResponder. Requests on one connection are handled strictly one at a time and
    // in order; while one is with the handler, parsing stops and unread bytes wait in the socket (whose read buffer
    // is bounded, so TCP pushes back on a client that pipelines too much).
    //
    // Created and owned by HttpServer, on its thread. It never deletes itself: it emits closed() once and the server
    // deletes it later, so no socket signal can reach a deleted object.
    class HttpConnection : public QObject
    {
        Q_OBJECT

    public:
        enum class Mode
        {
            Serve,
            RejectOverCapacity,   // answer 503 at once and close: the server holds its maximum of connections
        };

        HttpConnection(QTcpSocket *socket, const HttpServerLimits &limits, const HttpHandler *handler,
                       const HttpServerHooks *hooks, Mode mode, QObject *parent);
        ~HttpConnection() override;

        Mode mode() const;
        bool isClosed() const;
        // A request is with the handler, or its answer is still going out.
        bool isBusy() const;
        // Output accepted but not yet written to the network (plain and, with TLS, encrypted).
        qint64 pendingOutputBytes() const;
        // The server's sweep calls this a few times per timeout period: idle, request and write-stall timeouts.
        void checkTimeouts(qint64 nowMs);
        // Drops the connection at once (server shutdown).
        void abort();

        static qint64 monotonicMs();

        // HttpResponder's side; connection thread only (HttpResponderState::run guarantees it).
        const HttpResponderState *currentResponder() const;
        void sendResponse(const HttpResponse &response);
        void startStream(int statusCode, const QByteArray &contentType, const HttpHeaders &headers);
        void writeChunk(const QByteArray &data);
        void finishStream();
        void abortResponse();

    signals:
        void closed(Aq::Server::HttpConnection *connection);

    private:
        enum class Phase
        {
            Reading,      // parsing requests (or waiting for the next one)
            Dispatched,   // a request is with the handler
            Streaming,    // the handler is streaming its answer
            Closing,      // last bytes going out; then the write side is shut and input drained until EOF
        };
        enum class Framing
        {
            Length,
            Chunked,
            None,         // no body (HEAD, 1xx, 204, 304) or a close-delimited one (HTTP/1.0 stream)
        };
        enum class CloseMode
        {
            Graceful,     // after a normal answer: linger only if the client already sent more
            AfterError,   // the client may still be sending a body we refused: always linger
        };

        void handleReadyRead();
        void handleBytesWritten();
        void handleDisconnected();
        void handleOutputProgress();

        void processInput();
        bool readMore();
        void dispatch();
        void completeResponse(bool closeAfter);
        void respondWithError(int statusCode, const QString &message);
        void beginClose(CloseMode mode);
        void finishClose();
        void discardInput();
        void teardown();
        void beginExchange(const HttpRequest &request);
        void finishExchange(bool completed);

        QByteArray buildHead(int statusCode, const QByteArray &contentType, const HttpHeaders &headers, Framing framing,
                             qint64 contentLength, bool closeAfter, qsizetype extraCapacity) const;
        void write(const QByteArray &bytes);
        void write(const char *data, qsizetype size);
        void flushOutput();
        void updateResponderBytes();

        QTcpSocket *m_socket;
        QSslSocket *m_sslSocket;
        const HttpHandler *m_handler;
        const HttpServerHooks *m_hooks;
        const Mode m_mode;
        HttpRequestParser m_parser;
        QHostAddress m_peerAddress;
        quint16 m_peerPort = 0;

        QByteArray m_input;             // read from the socket, reused for every read
        qsizetype m_inputPos = 0;       // first byte not yet given to the parser

        Phase m_phase = Phase::Reading;
        std::shared_ptr<HttpResponderState> m_current;
        bool m_headRequest = false;
        bool m_keepAlive = true;
        bool m_http10 = false;
        bool m_streamChunked = false;
        bool m_streamHeadOnly = false;
        bool m_closeAfterStream = false;

        bool m_processing = false;
        bool m_waitingForDrain = false;
        bool m_requestStarted = false;
        bool m_lingerRequested = false;
        bool m_lingering = false;
        bool m_closed = false;

        HttpRequest m_exchangeRequest;      // the head of the request being answered (for hooks)
        HttpExchange m_exchange;
        qint64 m_exchangeStartedAt = 0;
        bool m_exchangeOpen = false;

        qint64 m_requestStartedAt = 0;
        qint64 m_idleSince = 0;
        qint64 m_lastWriteProgress = 0;
        qint64 m_closingSince = 0;
        qint64 m_discardedBytes = 0;
    };
}
